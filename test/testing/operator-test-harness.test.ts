import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyedProcessFunction, OutputTag, RivuletError, StreamExecutionEnvironment } from '../../src/index.ts';
import type { Collector, DataStream, Sink, SinkWriter } from '../../src/index.ts';
import { OperatorTestHarness } from '../../src/testing/index.ts';

const isError = (code: string, pattern: RegExp) => (e: unknown) => e instanceof RivuletError && e.code === code && pattern.test(e.message);

void describe('OperatorTestHarness.of', () => {
  void test('takes the one operator the function adds, with its name and uid', () => {
    const derived = OperatorTestHarness.of((s: DataStream<number>) => s.map((x) => x + 1));
    assert.equal(derived.name, 'Map');
    assert.match(derived.uid, /^map-[0-9a-f]+$/);
    const named = OperatorTestHarness.of((s: DataStream<number>) => s.filter((x) => x > 0).name('Positive').uid('positive'));
    assert.deepEqual([named.name, named.uid, named.parallelism, named.maxParallelism, named.subtaskIndex], ['Positive', 'positive', 1, 128, 0]);
  });

  void test('rejects a function that adds no operator or more than one', () => {
    assert.throws(() => OperatorTestHarness.of((s: DataStream<number>) => s), isError('INVALID_GRAPH', /added no operator/));
    assert.throws(() => OperatorTestHarness.of((s: DataStream<number>) => s.keyBy((x) => x)), isError('INVALID_GRAPH', /added no operator/));
    assert.throws(
      () => OperatorTestHarness.of((s: DataStream<number>) => s.map((x) => x).filter(() => true)),
      isError('INVALID_GRAPH', /exactly one operator .* added "Map", "Filter"/),
    );
    assert.throws(() => OperatorTestHarness.of((s: DataStream<number>) => s.union(s).map((x) => x)), isError('INVALID_GRAPH', /exactly one operator/));
  });

  void test('sinks after the operator are ignored; a sink can itself be the operator under test', async () => {
    const printed = OperatorTestHarness.of((s: DataStream<number>) => s.map((x) => x * 10).print());
    await printed.open();
    printed.processElement(4);
    assert.deepEqual(printed.extractOutputValues(), [40]);
    assert.equal(printed.name, 'Map');

    const log: string[] = [];
    const sink: Sink<string> = {
      createWriter(ctx): SinkWriter<string> {
        log.push(`writer ${ctx.operatorUid} ${ctx.subtaskIndex}/${ctx.parallelism}`);
        return {
          write: (v, ts) => void log.push(`write ${v}@${ts}`),
          flush: async (end) => void log.push(`flush ${end}`),
          close: () => void log.push('close'),
        };
      },
    };
    const h = OperatorTestHarness.of((s: DataStream<string>) => s.sinkTo(sink).uid('out'), { parallelism: 2, subtaskIndex: 1 });
    await h.open();
    h.processElement('a', 5);
    await h.endInput();
    await h.close();
    assert.deepEqual(log, ['writer out 1/2', 'write a@5', 'flush true', 'close']);
  });

  void test('rejects a subtask index outside the parallelism', () => {
    assert.throws(() => OperatorTestHarness.of((s: DataStream<number>) => s.map((x) => x), { parallelism: 2, subtaskIndex: 2 }), RangeError);
    assert.throws(() => OperatorTestHarness.of((s: DataStream<number>) => s.map((x) => x), { parallelism: 4, maxParallelism: 2 }), RangeError);
  });
});

void describe('driving the operator', () => {
  void test('lifecycle: nothing before open, no input after endInput', async () => {
    const h = OperatorTestHarness.of((s: DataStream<number>) => s.map((x) => x));
    assert.throws(() => h.processElement(1), isError('INVALID_ARGUMENT', /processElement\(\) called while the harness is created.*await harness.open\(\)/));
    await h.open();
    await assert.rejects(h.open(), isError('INVALID_ARGUMENT', /open\(\) called while the harness is open/));
    await h.endInput();
    assert.throws(() => h.processWatermark(1), isError('INVALID_ARGUMENT', /finished/));
    await h.close();
  });

  void test('watermarks: regressions throw, repeats are not delivered again (as the task input valve)', async () => {
    const h = OperatorTestHarness.of((s: DataStream<number>) => s.map((x) => x));
    await h.open();
    h.processWatermark(10);
    h.processWatermark(10);
    h.processElement(1, 3);
    assert.deepEqual(h.getOutput(), [{ watermark: 10 }, { record: 1, timestamp: 3 }]);
    assert.deepEqual(h.getWatermarks(), [10]);
    assert.throws(() => h.processWatermark(9), isError('INVALID_ARGUMENT', /never go back: got 9 after 10/));
  });

  void test('processing time is virtual and only moves forward', async () => {
    const h = OperatorTestHarness.of((s: DataStream<number>) => s.map((x) => x), { processingTime: 1_000 });
    await h.open();
    assert.equal(h.getProcessingTime(), 1_000);
    h.setProcessingTime(1_500);
    assert.equal(h.getProcessingTime(), 1_500);
    assert.throws(() => h.setProcessingTime(1_499), isError('INVALID_ARGUMENT', /never goes back/));
  });

  void test('output accessors return copies; side outputs are read by tag', async () => {
    const h = OperatorTestHarness.of((s: DataStream<number>) => s.map((x) => x));
    await h.open();
    h.processElement(1, 1);
    const out = h.getOutput();
    out.length = 0;
    assert.equal(h.getOutput().length, 1);
    assert.deepEqual(h.getSideOutput(new OutputTag<number>('nothing')), []);
    h.clearOutput();
    assert.deepEqual(h.getOutput(), []);
  });
});

void describe('keyed operators at parallelism > 1', () => {
  class WhereAmI extends KeyedProcessFunction<string, string, string> {
    processElement(v: string, _ctx: KeyedProcessFunction.Context<string>, out: Collector<string>): void {
      out.collect(`${this.getRuntimeContext().indexOfThisSubtask}:${v}`);
    }
  }
  const keys = Array.from({ length: 40 }, (_, i) => `key-${i}`);

  void test('a harness accepts exactly the keys a job routes to its subtask', async () => {
    // Where a real job at parallelism 3 sends each key...
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(3);
    const routed = await env
      .fromCollection(keys)
      .keyBy((k) => k)
      .process(new WhereAmI())
      .executeAndCollect();
    const subtaskOf = new Map(routed.map((s) => [s.slice(s.indexOf(':') + 1), Number(s.slice(0, s.indexOf(':')))]));
    assert.equal(subtaskOf.size, keys.length);
    assert.deepEqual(new Set(subtaskOf.values()), new Set([0, 1, 2]));

    // ...is what each subtask's harness accepts; other keys are refused with an explanation.
    for (const subtaskIndex of [0, 1, 2]) {
      const h = OperatorTestHarness.of((s: DataStream<string>) => s.keyBy((k) => k).process(new WhereAmI()), { parallelism: 3, subtaskIndex });
      await h.open();
      for (const k of keys) {
        if (subtaskOf.get(k) === subtaskIndex) h.processElement(k);
        else assert.throws(() => h.processElement(k), isError('INVALID_ARGUMENT', new RegExp(`Key "${k}" .* belongs to subtask ${subtaskOf.get(k)}, not to this harness's subtask ${subtaskIndex}`)));
      }
      assert.deepEqual(
        h.extractOutputValues(),
        keys.filter((k) => subtaskOf.get(k) === subtaskIndex).map((k) => `${subtaskIndex}:${k}`),
      );
      assert.equal(h.metrics.recordsIn, h.extractOutputValues().length, 'refused records are not counted');
    }
  });
});
