import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Duration, EventTimeTrigger, NO_TIMESTAMP, RivuletError, SlidingEventTimeWindows } from '../../../src/index.ts';

const ms = Duration.ofMillis;

/** Flink's loop, written out: the windows [start, start + size) holding ts, latest start first. */
function flinkWindows(ts: number, size: number, slide: number, offset: number): string[] {
  const rem = (((ts - offset) % slide) + slide) % slide;
  const out: string[] = [];
  for (let start = ts - rem; start > ts - size; start -= slide) out.push(`${start}:${start + size}`);
  return out;
}

void describe('SlidingEventTimeWindows', () => {
  void test('assigns the size/slide windows that hold the timestamp, latest start first', () => {
    const a = SlidingEventTimeWindows.of(ms(10), ms(5));
    assert.deepEqual(
      a.assignWindows(null, 7).map((w) => [w.start, w.end]),
      [
        [5, 15],
        [0, 10],
      ],
    );
    assert.deepEqual([a.size, a.slide, a.offset], [10, 5, 0]);
    assert.equal(a.toString(), 'SlidingEventTimeWindows(10, 5, 0)');
    assert.equal(a.isEventTime(), true);
    assert.ok(a.getDefaultTrigger() instanceof EventTimeTrigger);
  });

  void test('equals Flink’s loop for any size, slide, offset and timestamp order (incl. negative and non-dividing slides)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 50 }),
        fc.double({ min: -0.99, max: 0.99, noNaN: true }),
        fc.array(fc.integer({ min: -500, max: 500 }), { maxLength: 60 }),
        (size, slide, f, tss) => {
          const offset = Math.trunc(f * slide);
          const a = SlidingEventTimeWindows.of(ms(size), ms(slide), ms(offset));
          for (const ts of [...tss, ...[...tss].sort((x, y) => x - y)]) {
            const got = a.assignWindows(null, ts).map((w) => w.namespaceKey);
            assert.deepEqual(got, flinkWindows(ts, size, slide, offset));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  void test('consecutive records of one slide get the same array and window objects', () => {
    const a = SlidingEventTimeWindows.of(ms(60), ms(10));
    const first = a.assignWindows(null, 100);
    assert.equal(first.length, 6);
    assert.equal(a.assignWindows(null, 105), first);
    assert.equal(a.assignWindows(null, 109), first);
    assert.notEqual(a.assignWindows(null, 110), first);
  });

  void test('rejects bad sizes, slides and offsets, and records without timestamp', () => {
    assert.throws(() => SlidingEventTimeWindows.of(ms(0), ms(1)), RangeError);
    assert.throws(() => SlidingEventTimeWindows.of(ms(10), ms(0)), RangeError);
    assert.throws(() => SlidingEventTimeWindows.of(ms(10), ms(-5)), RangeError);
    assert.throws(() => SlidingEventTimeWindows.of(ms(10), ms(5), ms(5)), RangeError);
    assert.throws(() => SlidingEventTimeWindows.of(ms(10), ms(5), ms(-5)), RangeError);
    assert.throws(
      () => SlidingEventTimeWindows.of(ms(10), ms(5)).assignWindows(null, NO_TIMESTAMP),
      (e: unknown) => e instanceof RivuletError && e.code === 'INVALID_TIMESTAMP',
    );
  });
});
