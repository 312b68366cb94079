/**
 * A brute-force model of tumbling event-time windows with a sum, lateness 0, written from
 * the definition rather than from the operator: an event counts for its window iff the
 * watermark seen before it is below the window's maxTimestamp; a window fires (once, with
 * its final sum) at the first watermark >= its maxTimestamp, or at the end of input.
 * Shared by the harness property test and the end-to-end property test.
 */
import fc from 'fast-check';

export interface Ev {
  readonly key: string;
  readonly ts: number;
  readonly v: number;
}

/** Events and watermarks in the order an operator receives them. */
export type Step = { readonly event: Ev } | { readonly watermark: number };

export interface WindowSum {
  readonly key: string;
  readonly start: number;
  readonly sum: number;
}

export interface ReferenceResult {
  /** The windows each advancing watermark fires (the last batch is the final +Infinity one), each sorted. */
  readonly firings: WindowSum[][];
  readonly lateDropped: number;
}

/** The start of the window of `size` (shifted by `offset`) that holds ts: the largest start <= ts. */
export function windowStart(ts: number, size: number, offset: number): number {
  let start = offset + Math.floor((ts - offset) / size) * size;
  // Belt and braces against floating-point surprises in the division.
  while (start > ts) start -= size;
  while (start + size <= ts) start += size;
  return start;
}

export function compareWindowSums(a: WindowSum, b: WindowSum): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : a.start - b.start || a.sum - b.sum;
}

export function referenceTumblingSum(steps: readonly Step[], size: number, offset: number): ReferenceResult {
  const panes = new Map<string, { key: string; start: number; sum: number }>();
  const firings: WindowSum[][] = [];
  let watermark = Number.NEGATIVE_INFINITY;
  let lateDropped = 0;
  const advance = (to: number): void => {
    if (to <= watermark) return;
    watermark = to;
    const fired: WindowSum[] = [];
    for (const [id, p] of panes) {
      if (p.start + size - 1 <= to) {
        fired.push({ key: p.key, start: p.start, sum: p.sum });
        panes.delete(id);
      }
    }
    firings.push(fired.sort(compareWindowSums));
  };
  for (const step of steps) {
    if ('watermark' in step) {
      advance(step.watermark);
      continue;
    }
    const { key, ts, v } = step.event;
    const start = windowStart(ts, size, offset);
    if (watermark >= start + size - 1) {
      lateDropped++;
      continue;
    }
    const id = `${key}|${start}`;
    const pane = panes.get(id);
    if (pane === undefined) panes.set(id, { key, start, sum: v });
    else pane.sum += v;
  }
  advance(Number.POSITIVE_INFINITY);
  return { firings, lateDropped };
}

/** Window size, an offset in [0, size), and events interleaved with a non-decreasing watermark sequence. */
export const tumblingScenario = fc
  .integer({ min: 1, max: 40 })
  .chain((size) =>
    fc.record({
      size: fc.constant(size),
      offset: fc.integer({ min: 0, max: size - 1 }),
      firstWatermark: fc.integer({ min: -40, max: 40 }),
      ops: fc.array(
        fc.oneof(
          { weight: 4, arbitrary: fc.record({ key: fc.constantFrom('a', 'b', 'c'), ts: fc.integer({ min: -50, max: 250 }), v: fc.integer({ min: -5, max: 20 }) }) },
          { weight: 1, arbitrary: fc.integer({ min: 0, max: 30 }) },
        ),
        { maxLength: 120, size: 'max' },
      ),
    }),
  )
  .map(({ size, offset, firstWatermark, ops }) => {
    const steps: Step[] = [];
    let wm = firstWatermark;
    let first = true;
    for (const op of ops) {
      if (typeof op === 'number') {
        wm = first ? wm : wm + op;
        first = false;
        steps.push({ watermark: wm });
      } else {
        steps.push({ event: op });
      }
    }
    return { size, offset, steps };
  });
