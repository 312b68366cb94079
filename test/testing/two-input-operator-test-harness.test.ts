/**
 * TwoInputOperatorTestHarness: finds the one two-input operator a build function adds,
 * feeds each input, and combines the inputs' watermarks as a TwoInputStreamTask does — the
 * operator sees the minimum of both inputs, only when it advances.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MAX_WATERMARK, RivuletError } from '../../src/index.ts';
import type { DataStream } from '../../src/index.ts';
import { TwoInputOperatorTestHarness } from '../../src/testing/index.ts';

const coMap = (a: DataStream<number>, b: DataStream<string>): DataStream<string> => a.connect(b).map({ map1: (n) => `n${n}`, map2: (s) => `s${s}` });

function isError(code: string, message: RegExp): (e: unknown) => boolean {
  return (e) => e instanceof RivuletError && e.code === code && message.test(e.message);
}

/** A watermark step on one input; each input's watermarks never go back. */
type WmStep = { readonly input: 1 | 2; readonly watermark: number };

const watermarkSteps = fc
  .array(fc.record({ input: fc.constantFrom<1 | 2>(1, 2), delta: fc.integer({ min: 0, max: 20 }) }), { maxLength: 40 })
  .map((ops) => {
    const at = [-50, -50];
    return ops.map(({ input, delta }): WmStep => {
      at[input - 1]! += delta;
      return { input, watermark: at[input - 1]! };
    });
  });

void describe('TwoInputOperatorTestHarness', () => {
  void it('delivers the minimum of both inputs\' watermarks, only when it advances (property)', async () => {
    await fc.assert(
      fc.asyncProperty(watermarkSteps, async (steps) => {
        const h = TwoInputOperatorTestHarness.of(coMap);
        await h.open();
        // Reference: per input the last watermark; the operator's is the running max of their min.
        const last = [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
        const expected: number[] = [];
        for (const s of steps) {
          if (s.input === 1) h.processWatermark1(s.watermark);
          else h.processWatermark2(s.watermark);
          last[s.input - 1] = s.watermark;
          const min = Math.min(last[0]!, last[1]!);
          if (min > (expected.at(-1) ?? Number.NEGATIVE_INFINITY)) expected.push(min);
        }
        assert.deepEqual(h.getWatermarks(), expected);
        assert.equal(h.currentWatermark(), expected.at(-1) ?? Number.NEGATIVE_INFINITY);
      }),
      { numRuns: 200 },
    );
  });

  void it('records go to the method of their input with their timestamp; an ended input holds nothing back', async () => {
    const h = TwoInputOperatorTestHarness.of(coMap);
    await h.open();
    h.processElement1(1, 5);
    h.processElement2('x', 7);
    h.processWatermark1(100);
    h.processWatermark2(20);
    await h.endInput(2);
    h.processElement1(2, 150);
    h.processWatermark1(MAX_WATERMARK);
    await h.endInput(1);
    assert.deepEqual(h.getOutput(), [
      { record: 'n1', timestamp: 5 },
      { record: 'sx', timestamp: 7 },
      { watermark: 20 },
      { watermark: 100 },
      { record: 'n2', timestamp: 150 },
      { watermark: MAX_WATERMARK },
    ]);
    await h.close();
  });

  void it('rejects watermarks that go back, input after its end, and builds that are not one two-input operator', async () => {
    const h = TwoInputOperatorTestHarness.of(coMap);
    assert.throws(() => h.processElement1(1), isError('INVALID_ARGUMENT', /open\(\)/));
    await h.open();
    h.processWatermark2(10);
    assert.throws(() => h.processWatermark2(9), isError('INVALID_ARGUMENT', /never go back.*input 2/));
    await h.endInput(1);
    assert.throws(() => h.processElement1(1), isError('INVALID_ARGUMENT', /after endInput\(1\)/));
    assert.throws(() => TwoInputOperatorTestHarness.of((a: DataStream<number>) => a.map((x) => x)), isError('INVALID_GRAPH', /exactly one two-input operator/));
    assert.throws(
      () => TwoInputOperatorTestHarness.of((a: DataStream<number>, b: DataStream<number>) => a.connect(b).map({ map1: (x) => x, map2: (x) => x }).map((x) => x)),
      isError('INVALID_GRAPH', /added "Co-Map", "Map"/),
    );
    assert.throws(
      () => TwoInputOperatorTestHarness.of((a: DataStream<number>, b: DataStream<number>) => b.connect(a).map({ map1: (x) => x, map2: (x) => x })),
      isError('INVALID_GRAPH', /input1 as its first/),
    );
  });

  void it('at parallelism 2, a keyed input accepts only the keys of its subtask', async () => {
    const h = TwoInputOperatorTestHarness.of(
      (a: DataStream<string>, b: DataStream<string>) => a.connect(b).keyBy((s) => s, (s) => s).map({ map1: (s) => s, map2: (s) => s }),
      { parallelism: 2, subtaskIndex: 0 },
    );
    await h.open();
    const keys = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    let accepted = 0;
    let rejected = 0;
    for (const k of keys) {
      try {
        h.processElement2(k);
        accepted++;
      } catch (e) {
        assert.ok(isError('INVALID_ARGUMENT', /belongs to subtask 1/)(e));
        rejected++;
      }
    }
    assert.ok(accepted > 0 && rejected > 0, `${accepted} accepted, ${rejected} rejected`);
  });
});
