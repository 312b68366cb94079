/**
 * A brute-force model of keyed event-time session windows with a sum, the EventTimeTrigger
 * and allowed lateness, written from Flink's definition (sessions as a set of intervals per
 * key), not from the WindowOperator's merging window set, timers or state windows:
 * - an event opens [ts, ts + gap); it joins every session of its key it overlaps or
 *   touches, and the union becomes one session (or it lies inside one: nothing merges);
 * - a new session that is past cleanup (end - 1 + lateness <= watermark) is not opened:
 *   the event is late;
 * - the event is added to its session; if the watermark already passed the session's end
 *   (end - 1), the session fires at once (a late firing), else it fires when a watermark
 *   reaches end - 1 (once per end: a session that merges into a longer one fires at the
 *   new end);
 * - a watermark forgets each session whose cleanup time (end - 1 + lateness) it reaches.
 */
import fc from 'fast-check';
import type { Ev, Step } from './tumbling-reference.ts';

export interface SessionSum {
  readonly key: string;
  readonly start: number;
  readonly end: number;
  readonly sum: number;
}

export interface SessionReferenceResult {
  /** Per step (event or watermark, then the final +Infinity watermark): the firings, sorted. */
  readonly firings: SessionSum[][];
  /** Late events not added to any session, in order. */
  readonly late: Ev[];
}

export function compareSessionSums(a: SessionSum, b: SessionSum): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : a.start - b.start || a.end - b.end || a.sum - b.sum;
}

interface Session {
  start: number;
  end: number;
  sum: number;
  /** Whether the session still fires when the watermark reaches end - 1. */
  pending: boolean;
}

export function referenceSessionSum(steps: readonly Step[], gap: number, lateness: number): SessionReferenceResult {
  const sessions = new Map<string, Session[]>();
  const firings: SessionSum[][] = [];
  const late: Ev[] = [];
  let watermark = Number.NEGATIVE_INFINITY;
  const result = (key: string, s: Session): SessionSum => ({ key, start: s.start, end: s.end, sum: s.sum });

  const advance = (to: number): void => {
    const fired: SessionSum[] = [];
    if (to > watermark) {
      for (const [key, list] of sessions) {
        for (const s of list) {
          if (s.pending && s.end - 1 <= to) {
            s.pending = false;
            fired.push(result(key, s));
          }
        }
        sessions.set(
          key,
          list.filter((s) => s.end - 1 + lateness > to),
        );
      }
      watermark = to;
    }
    firings.push(fired.sort(compareSessionSums));
  };

  for (const step of steps) {
    if ('watermark' in step) {
      advance(step.watermark);
      continue;
    }
    const e = step.event;
    const list = sessions.get(e.key) ?? [];
    const start = e.ts;
    const end = e.ts + gap;
    const touching = list.filter((s) => s.start <= end && s.end >= start);
    let session: Session;
    if (touching.length === 1 && touching[0]!.start <= start && end <= touching[0]!.end) {
      session = touching[0]!;
    } else {
      session = {
        start: Math.min(start, ...touching.map((s) => s.start)),
        end: Math.max(end, ...touching.map((s) => s.end)),
        sum: touching.reduce((n, s) => n + s.sum, 0),
        pending: false,
      };
      if (touching.length === 0 && session.end - 1 + lateness <= watermark) {
        if (e.ts + lateness <= watermark) late.push(e);
        firings.push([]);
        continue;
      }
      // Merged sessions are replaced by their union, which fires at its own end.
      session.pending = touching.length > 0 && session.end - 1 > watermark;
      sessions.set(e.key, [...list.filter((s) => !touching.includes(s)), session]);
    }
    session.sum += e.v;
    if (session.end - 1 <= watermark) {
      firings.push([result(e.key, session)]);
    } else {
      session.pending = true;
      firings.push([]);
    }
  }
  advance(Number.POSITIVE_INFINITY);
  return { firings, late };
}

/**
 * Gap, lateness (often 0), and events interleaved with a punctuated, non-decreasing
 * watermark. Event time advances by 0..8 per event with jitter -30..10 (out of order); the
 * watermark trails the largest timestamp seen by -5..30, so sessions merge, bridge and
 * arrive late.
 */
export const sessionScenario = fc
  .record({
    gap: fc.integer({ min: 1, max: 25 }),
    lateness: fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, { weight: 3, arbitrary: fc.integer({ min: 1, max: 60 }) }),
    start: fc.integer({ min: -50, max: 50 }),
    ops: fc.array(
      fc.oneof(
        {
          weight: 5,
          arbitrary: fc.record({
            key: fc.constantFrom('a', 'b', 'c'),
            advance: fc.integer({ min: 0, max: 8 }),
            jitter: fc.integer({ min: -30, max: 10 }),
            v: fc.integer({ min: -5, max: 20 }),
          }),
        },
        { weight: 1, arbitrary: fc.integer({ min: -5, max: 30 }) },
      ),
      { maxLength: 150, size: 'max' },
    ),
  })
  .map(({ gap, lateness, start, ops }) => {
    const steps: Step[] = [];
    let wm = Number.NEGATIVE_INFINITY;
    let now = start;
    let maxTs = Number.NEGATIVE_INFINITY;
    for (const op of ops) {
      if (typeof op === 'number') {
        if (maxTs === Number.NEGATIVE_INFINITY || maxTs - op <= wm) continue;
        wm = maxTs - op;
        steps.push({ watermark: wm });
      } else {
        now += op.advance;
        const ts = now + op.jitter;
        maxTs = Math.max(maxTs, ts);
        steps.push({ event: { key: op.key, ts, v: op.v } });
      }
    }
    return { gap, lateness, steps };
  });
