import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { NO_TIMESTAMP, ProcessFunction, RichMapFunction, RivuletError } from '../../../src/index.ts';
import type { Collector, Counter, DataStream } from '../../../src/index.ts';
import { OperatorTestHarness } from '../../../src/testing/index.ts';

/** Feeds (value, timestamp) pairs and a watermark in between; returns the output elements. */
async function run<IN, OUT>(build: (s: DataStream<IN>) => DataStream<OUT>, input: readonly (readonly [IN, number])[]) {
  const h = OperatorTestHarness.of(build);
  await h.open();
  for (const [v, ts] of input) h.processElement(v, ts);
  h.processWatermark(100);
  await h.endInput();
  await h.close();
  return h.getOutput();
}

const numbers = fc.array(fc.tuple(fc.integer(), fc.integer({ min: 0, max: 99 })), { maxLength: 40 });

void describe('map, filter, flatMap, process', () => {
  void test('map, filter and flatMap agree with Array methods and keep each record\'s timestamp (property)', async () => {
    await fc.assert(
      fc.asyncProperty(numbers, async (input) => {
        const withWm = <T>(records: { record: T; timestamp: number }[]) => [...records, { watermark: 100 }];
        assert.deepEqual(
          await run((s: DataStream<number>) => s.map((x) => x * 2 + 1), input),
          withWm(input.map(([x, ts]) => ({ record: x * 2 + 1, timestamp: ts }))),
        );
        assert.deepEqual(
          await run((s: DataStream<number>) => s.filter((x) => x % 3 === 0), input),
          withWm(input.filter(([x]) => x % 3 === 0).map(([x, ts]) => ({ record: x, timestamp: ts }))),
        );
        assert.deepEqual(
          await run(
            (s: DataStream<number>) =>
              s.flatMap((x: number, out: Collector<string>) => {
                for (let i = 0; i < Math.abs(x) % 3; i++) out.collect(`${x}#${i}`);
              }),
            input,
          ),
          withWm(input.flatMap(([x, ts]) => Array.from({ length: Math.abs(x) % 3 }, (_, i) => ({ record: `${x}#${i}`, timestamp: ts })))),
        );
      }),
      { numRuns: 100 },
    );
  });

  void test('a ProcessFunction sees the record timestamp and the watermark', async () => {
    class Describe extends ProcessFunction<string, string> {
      processElement(v: string, ctx: ProcessFunction.Context, out: Collector<string>): void {
        out.collect(`${v} ts=${ctx.timestamp()} wm=${ctx.timerService().currentWatermark()} pt=${ctx.timerService().currentProcessingTime()}`);
      }
    }
    const h = OperatorTestHarness.of((s: DataStream<string>) => s.process(new Describe()), { processingTime: 7 });
    await h.open();
    h.processElement('a', 3);
    h.processWatermark(5);
    h.processElement('b');
    assert.deepEqual(h.getOutput(), [
      { record: 'a ts=3 wm=-Infinity pt=7', timestamp: 3 },
      { watermark: 5 },
      { record: 'b ts=undefined wm=5 pt=7', timestamp: NO_TIMESTAMP },
    ]);
  });

  void test('timers on a non-keyed ProcessFunction fail with INVALID_GRAPH', async () => {
    class Timed extends ProcessFunction<string, string> {
      processElement(_v: string, ctx: ProcessFunction.Context): void {
        ctx.timerService().registerEventTimeTimer(1);
      }
    }
    const h = OperatorTestHarness.of((s: DataStream<string>) => s.process(new Timed()));
    await h.open();
    assert.throws(() => h.processElement('a'), (e: unknown) => e instanceof RivuletError && e.code === 'INVALID_GRAPH' && /keyBy/.test(e.message));
  });

  void test('rich functions are opened with their subtask and count into accumulators', async () => {
    const events: string[] = [];
    class Tag extends RichMapFunction<number, string> {
      private seen!: Counter;
      override open(ctx: { subtaskIndex: number; parallelism: number }): void {
        this.seen = this.getRuntimeContext().getCounter('seen');
        events.push(`open ${ctx.subtaskIndex}/${ctx.parallelism}`);
      }
      map(x: number): string {
        this.seen.add(1);
        return `${this.getRuntimeContext().indexOfThisSubtask}:${x}`;
      }
      override close(): void {
        events.push('close');
      }
    }
    const h = OperatorTestHarness.of((s: DataStream<number>) => s.map(new Tag()), { parallelism: 4, subtaskIndex: 2 });
    await h.open();
    h.processElement(1);
    h.processElement(2);
    await h.close();
    assert.deepEqual(h.extractOutputValues(), ['2:1', '2:2']);
    assert.equal(h.accumulators.get('seen')?.getLocalValue(), 2);
    assert.deepEqual(events, ['open 2/4', 'close']);
    assert.deepEqual([h.metrics.recordsIn, h.metrics.recordsOut], [2, 2]);
  });
});

void describe('failing user functions', () => {
  const cases = [
    ['map', (s: DataStream<{ id: number }>) => s.map((r) => { if (r.id === 2) throw new Error('bad id'); return r; }), 'Map'],
    ['filter', (s: DataStream<{ id: number }>) => s.filter((r) => { if (r.id === 2) throw new Error('bad id'); return true; }), 'Filter'],
    ['flatMap', (s: DataStream<{ id: number }>) => s.flatMap((r: { id: number }, out: Collector<number>) => { if (r.id === 2) throw new Error('bad id'); out.collect(r.id); }), 'Flat Map'],
    [
      'process',
      (s: DataStream<{ id: number }>) =>
        s.process(
          new (class extends ProcessFunction<{ id: number }, number> {
            processElement(r: { id: number }): void {
              if (r.id === 2) throw new Error('bad id');
            }
          })(),
        ),
      'Process',
    ],
  ] as const;

  for (const [kind, build, defaultName] of cases) {
    void test(`${kind}: USER_FUNCTION_FAILED naming operator name, uid, subtask and record`, async () => {
      const h = OperatorTestHarness.of((s: DataStream<{ id: number }>) => (build(s) as DataStream<unknown>).uid(`my-${kind}`), { parallelism: 3, subtaskIndex: 1 });
      await h.open();
      h.processElement({ id: 1 });
      assert.throws(
        () => h.processElement({ id: 2 }),
        (e: unknown) => {
          assert.ok(e instanceof RivuletError);
          assert.equal(e.code, 'USER_FUNCTION_FAILED');
          assert.equal(e.message, `User function of operator "${defaultName}" (uid my-${kind}, subtask 2/3) failed on record {"id":2}: bad id`);
          assert.deepEqual(e.context, { operatorUid: `my-${kind}`, operatorName: defaultName, subtask: 1 });
          assert.ok(e.cause instanceof Error && e.cause.message === 'bad id');
          return true;
        },
      );
    });
  }

  void test('the operator name set with name() appears in the error; so do thrown non-Errors', async () => {
    const h = OperatorTestHarness.of((s: DataStream<string>) =>
      s
        .map((): string => {
          throw 'plain string';
        })
        .name('Parse line'),
    );
    await h.open();
    assert.throws(
      () => h.processElement('x'.repeat(400)),
      (e: unknown) => e instanceof RivuletError && /^User function of operator "Parse line" \(uid parse-line-[0-9a-f]+, subtask 1\/1\) failed on record "x{299}…: plain string$/.test(e.message),
    );
  });
});
