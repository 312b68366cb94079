/**
 * A brute-force model of keyed event-time sliding windows (tumbling: slide = size) with a
 * sum, the EventTimeTrigger and allowed lateness, written from Flink's definition rather
 * than from either operator:
 * - an event belongs to every window [start, start + size), start ≡ offset (mod slide),
 *   that holds its timestamp; it is added to those whose cleanup time (maxTimestamp +
 *   lateness) the watermark has not reached, and each of them whose maxTimestamp the
 *   watermark has reached fires at once (a late firing), latest start first;
 * - an event added to no window is late-dropped if timestamp + lateness <= watermark;
 * - a watermark fires each window with data whose maxTimestamp it passes (on time) and
 *   forgets each window whose cleanup time it passes.
 * Shared by the harness property test and the end-to-end property test.
 */
import fc from 'fast-check';
import type { Ev, Step } from './tumbling-reference.ts';

export interface SlidingSum {
  readonly key: string;
  readonly start: number;
  readonly sum: number;
  /** How many times this window fired, including this firing. */
  readonly firing: number;
}

export interface SlidingGeometry {
  readonly size: number;
  readonly slide: number;
  readonly offset: number;
  readonly lateness: number;
}

export interface SlidingReferenceResult {
  /** Per step (event or watermark, then the final +Infinity watermark): the firings, sorted. */
  readonly firings: SlidingSum[][];
  /** Late events not added to any window, in order. */
  readonly late: Ev[];
}

export function compareSlidingSums(a: SlidingSum, b: SlidingSum): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : a.start - b.start || a.firing - b.firing || a.sum - b.sum;
}

/** Starts of the windows holding ts, latest first. */
export function windowStartsOf(ts: number, g: SlidingGeometry): number[] {
  const starts: number[] = [];
  let last = g.offset + Math.floor((ts - g.offset) / g.slide) * g.slide;
  while (last > ts) last -= g.slide;
  while (last + g.slide <= ts) last += g.slide;
  for (let s = last; s > ts - g.size; s -= g.slide) starts.push(s);
  return starts;
}

export function referenceSlidingSum(steps: readonly Step[], g: SlidingGeometry): SlidingReferenceResult {
  const panes = new Map<string, { key: string; start: number; sum: number; firings: number }>();
  const firings: SlidingSum[][] = [];
  const late: Ev[] = [];
  let watermark = Number.NEGATIVE_INFINITY;
  const fire = (p: { key: string; start: number; sum: number; firings: number }, out: SlidingSum[]): void => {
    p.firings++;
    out.push({ key: p.key, start: p.start, sum: p.sum, firing: p.firings });
  };
  const advance = (to: number): void => {
    const fired: SlidingSum[] = [];
    if (to > watermark) {
      for (const [id, p] of panes) {
        const maxTs = p.start + g.size - 1;
        if (maxTs > watermark && maxTs <= to) fire(p, fired);
        if (maxTs + g.lateness <= to) panes.delete(id);
      }
      watermark = to;
    }
    firings.push(fired.sort(compareSlidingSums));
  };
  for (const step of steps) {
    if ('watermark' in step) {
      advance(step.watermark);
      continue;
    }
    const e = step.event;
    const fired: SlidingSum[] = [];
    let added = false;
    for (const start of windowStartsOf(e.ts, g)) {
      const maxTs = start + g.size - 1;
      if (maxTs + g.lateness <= watermark) continue;
      added = true;
      const id = `${e.key}|${start}`;
      let p = panes.get(id);
      if (p === undefined) {
        p = { key: e.key, start, sum: 0, firings: 0 };
        panes.set(id, p);
      }
      p.sum += e.v;
      if (maxTs <= watermark) fire(p, fired);
    }
    if (!added && e.ts + g.lateness <= watermark) late.push(e);
    firings.push(fired.sort(compareSlidingSums));
  }
  advance(Number.POSITIVE_INFINITY);
  return { firings, late };
}

/**
 * Window geometry (slide dividing the size or not, now and then slide > size), lateness
 * (often 0), and events interleaved with a punctuated, non-decreasing watermark. Event
 * time advances by 0..6 per event with jitter -30..10 (out of order); the watermark trails
 * the largest timestamp seen by -5..30, so some events are late, some within lateness.
 */
export const slidingScenario = fc
  .record({
    size: fc.integer({ min: 1, max: 40 }),
    slide: fc.integer({ min: 1, max: 40 }),
    offsetFraction: fc.double({ min: -0.99, max: 0.99, noNaN: true }),
    lateness: fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, { weight: 3, arbitrary: fc.integer({ min: 1, max: 60 }) }),
    start: fc.integer({ min: -50, max: 50 }),
    ops: fc.array(
      fc.oneof(
        {
          weight: 5,
          arbitrary: fc.record({
            key: fc.constantFrom('a', 'b', 'c'),
            advance: fc.integer({ min: 0, max: 6 }),
            jitter: fc.integer({ min: -30, max: 10 }),
            v: fc.integer({ min: -5, max: 20 }),
          }),
        },
        { weight: 1, arbitrary: fc.integer({ min: -5, max: 30 }) },
      ),
      { maxLength: 150, size: 'max' },
    ),
  })
  .filter(({ size, slide }) => slide <= 2 * size)
  .map(({ size, slide, offsetFraction, lateness, start, ops }) => {
    const steps: Step[] = [];
    let wm = Number.NEGATIVE_INFINITY;
    let now = start;
    let maxTs = Number.NEGATIVE_INFINITY;
    for (const op of ops) {
      if (typeof op === 'number') {
        if (maxTs === Number.NEGATIVE_INFINITY) continue;
        const next = maxTs - op;
        if (next > wm) {
          wm = next;
          steps.push({ watermark: wm });
        }
      } else {
        now += op.advance;
        const ts = now + op.jitter;
        maxTs = Math.max(maxTs, ts);
        steps.push({ event: { key: op.key, ts, v: op.v } });
      }
    }
    return { geometry: { size, slide, offset: Math.trunc(offsetFraction * slide), lateness }, steps };
  });
