/**
 * Session, sliding and count windows end-to-end (fromCollection -> punctuated watermarks ->
 * keyBy -> window -> collect) at parallelism 1 and 2, against the brute-force references:
 * the job's results are the reference's firings, and its late-drop metric the reference's
 * late events. Tumbling windows have theirs in window-end-to-end.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Duration, EventTimeSessionWindows, SlidingEventTimeWindows } from '../../../src/index.ts';
import type { AggregateFunction, Collector, GlobalWindow } from '../../../src/index.ts';
import { referenceCountWindows } from './count-window-reference.ts';
import type { CountFiring } from './count-window-reference.ts';
import { runWindowJob } from './punctuated-job.ts';
import { compareSessionSums, referenceSessionSum, sessionScenario } from './session-reference.ts';
import type { SessionSum } from './session-reference.ts';
import { referenceSlidingSum, slidingScenario } from './sliding-reference.ts';
import type { Ev } from './tumbling-reference.ts';
import { tumblingScenario } from './tumbling-reference.ts';

const sumOfV: AggregateFunction<Ev, number, number> = {
  createAccumulator: () => 0,
  add: (e, acc) => acc + e.v,
  getResult: (acc) => acc,
  merge: (a, b) => a + b,
};

type SlidingOut = { key: string; start: number; sum: number };
const compareSliding = (a: SlidingOut, b: SlidingOut): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.start - b.start || a.sum - b.sum);
const compareCount = (a: CountFiring, b: CountFiring): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

for (const parallelism of [1, 2]) {
  void test(`event-time session windows end-to-end at parallelism ${parallelism} match the reference`, async () => {
    await fc.assert(
      fc.asyncProperty(sessionScenario, async ({ gap, lateness, steps }) => {
        const { results, lateDropped } = await runWindowJob(steps, parallelism, (keyed) =>
          keyed
            .window(EventTimeSessionWindows.withGap(Duration.ofMillis(gap)))
            .allowedLateness(Duration.ofMillis(lateness))
            .aggregate(sumOfV, (key, window, sums, out: Collector<SessionSum>) => {
              for (const sum of sums) out.collect({ key, start: window.start, end: window.end, sum });
            }),
        );
        const expected = referenceSessionSum(steps, gap, lateness);
        assert.deepEqual(results.sort(compareSessionSums), expected.firings.flat().sort(compareSessionSums));
        assert.equal(lateDropped, expected.late.length);
      }),
      { numRuns: 100 },
    );
  });

  void test(`sliding event-time windows (full-window apply) end-to-end at parallelism ${parallelism} match the reference`, async () => {
    await fc.assert(
      fc.asyncProperty(slidingScenario, async ({ geometry: g, steps }) => {
        const { results, lateDropped } = await runWindowJob(steps, parallelism, (keyed) =>
          keyed
            .window(SlidingEventTimeWindows.of(Duration.ofMillis(g.size), Duration.ofMillis(g.slide), Duration.ofMillis(g.offset)))
            .allowedLateness(Duration.ofMillis(g.lateness))
            .apply((key, window, elements, out: Collector<SlidingOut>) => {
              let sum = 0;
              for (const e of elements) sum += e.v;
              out.collect({ key, start: window.start, sum });
            }),
        );
        const expected = referenceSlidingSum(steps, g);
        assert.deepEqual(results.sort(compareSliding), expected.firings.flat().map(({ key, start, sum }) => ({ key, start, sum })).sort(compareSliding));
        assert.equal(lateDropped, expected.late.length);
      }),
      { numRuns: 100 },
    );
  });

  void test(`count windows end-to-end at parallelism ${parallelism} match the reference (per key, in order)`, async () => {
    const scenario = fc.record({
      size: fc.integer({ min: 1, max: 6 }),
      slide: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
      steps: tumblingScenario.map((s) => s.steps),
    });
    await fc.assert(
      fc.asyncProperty(scenario, async ({ size, slide, steps }) => {
        const { results, lateDropped } = await runWindowJob(steps, parallelism, (keyed) =>
          (slide === undefined ? keyed.countWindow(size) : keyed.countWindow(size, slide)).apply((key, _w: GlobalWindow, elements, out: Collector<CountFiring>) =>
            out.collect({ key, values: [...elements].map((e) => e.v) }),
          ),
        );
        // Per key the firings keep their order (a stable sort by key keeps arrival order).
        assert.deepEqual(results.sort(compareCount), referenceCountWindows(steps, size, slide).sort(compareCount));
        assert.equal(lateDropped, 0);
      }),
      { numRuns: 100 },
    );
  });
}
