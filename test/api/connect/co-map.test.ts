/**
 * connect() with a CoMapFunction / CoFlatMapFunction, end to end at parallelism 1 and 2,
 * against a brute-force computation: every record of either input is mapped by the
 * function of its input, exactly once, keeping its timestamp; on keyed connected streams a
 * rich function's keyed state is shared by both inputs' records of a key.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Duration, ProcessFunction, RichCoFlatMapFunction, RichCoMapFunction, StreamExecutionEnvironment, ValueStateDescriptor, WatermarkStrategy } from '../../../src/index.ts';
import type { Collector, DataStream, ValueState } from '../../../src/index.ts';

interface Reading {
  readonly sensor: string;
  readonly celsius: number;
  readonly ts: number;
}

interface Out {
  readonly from: 1 | 2;
  readonly text: string;
  readonly ts: number | undefined;
}

const compare = (a: unknown, b: unknown): number => (JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0);

/** Appends the record's timestamp, to check that co-operators keep it. */
class WithTimestamp<T> extends ProcessFunction<T, { value: T; ts: number | undefined }> {
  processElement(value: T, ctx: ProcessFunction.Context, out: Collector<{ value: T; ts: number | undefined }>): void {
    out.collect({ value, ts: ctx.timestamp() });
  }
}

const readings = fc.array(fc.record({ sensor: fc.constantFrom('s1', 's2', 's3'), celsius: fc.integer({ min: -20, max: 40 }), ts: fc.integer({ min: 0, max: 1_000 }) }), { maxLength: 40 });
const words = fc.array(fc.string({ maxLength: 6 }), { maxLength: 40 });

function sources(env: StreamExecutionEnvironment, a: readonly Reading[], b: readonly string[]): [DataStream<Reading>, DataStream<string>] {
  const left = env.fromCollection(a).assignTimestampsAndWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<Reading>(Duration.ofSeconds(10)).withTimestampAssigner((r: Reading) => r.ts));
  return [left, env.fromCollection(b)];
}

void describe('connect with CoMap and CoFlatMap', () => {
  for (const parallelism of [1, 2]) {
    void it(`CoMap maps each input with its own function, once per record, keeping timestamps (parallelism ${parallelism})`, async () => {
      await fc.assert(
        fc.asyncProperty(readings, words, async (a, b) => {
          const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(parallelism);
          const [left, right] = sources(env, a, b);
          const got = await left
            .connect(right)
            .map({ map1: (r) => `${r.sensor}:${r.celsius * 2}`, map2: (w) => `word:${w.toUpperCase()}` })
            .process(new WithTimestamp<string>())
            .executeAndCollect();
          const expected = [...a.map((r) => ({ value: `${r.sensor}:${r.celsius * 2}`, ts: r.ts })), ...b.map((w) => ({ value: `word:${w.toUpperCase()}`, ts: undefined }))];
          assert.deepEqual(got.sort(compare), expected.sort(compare));
        }),
        { numRuns: 100 },
      );
    });

    void it(`CoFlatMap emits zero or more records per input record (parallelism ${parallelism})`, async () => {
      await fc.assert(
        fc.asyncProperty(readings, words, async (a, b) => {
          const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(parallelism);
          const [left, right] = sources(env, a, b);
          const got = await left
            .connect(right)
            .flatMap<Out>({
              flatMap1: (r, out) => {
                if (r.celsius > 0) out.collect({ from: 1, text: r.sensor, ts: r.ts });
              },
              flatMap2: (w, out) => {
                for (const ch of w) out.collect({ from: 2, text: ch, ts: undefined });
              },
            })
            .executeAndCollect();
          const expected: Out[] = [...a.filter((r) => r.celsius > 0).map((r): Out => ({ from: 1, text: r.sensor, ts: r.ts })), ...b.flatMap((w) => [...w].map((ch): Out => ({ from: 2, text: ch, ts: undefined })))];
          assert.deepEqual(got.sort(compare), expected.sort(compare));
        }),
        { numRuns: 100 },
      );
    });

    void it(`a rich CoFlatMap on keyed connected streams shares keyed state across both inputs (parallelism ${parallelism})`, async () => {
      /** Numbers each record of a sensor 1, 2, 3, ... across both inputs: per sensor the outputs are 1..n whatever the interleaving. */
      class CountPerSensor extends RichCoFlatMapFunction<Reading, string, [string, number, number]> {
        private count!: ValueState<number>;
        override open(): void {
          this.count = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('count', 0));
        }
        private next(sensor: string, out: Collector<[string, number, number]>): void {
          const n = this.count.value()! + 1;
          this.count.update(n);
          out.collect([sensor, n, this.getRuntimeContext().indexOfThisSubtask]);
        }
        flatMap1(r: Reading, out: Collector<[string, number, number]>): void {
          this.next(r.sensor, out);
        }
        flatMap2(sensor: string, out: Collector<[string, number, number]>): void {
          this.next(sensor, out);
        }
      }
      await fc.assert(
        fc.asyncProperty(readings, fc.array(fc.constantFrom('s1', 's2', 's3', 's4'), { maxLength: 40 }), async (a, b) => {
          const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(parallelism);
          const [left, right] = sources(env, a, b);
          const got = await left
            .connect(right)
            .keyBy((r) => r.sensor, (s) => s)
            .flatMap(new CountPerSensor())
            .executeAndCollect();
          const perSensor = new Map<string, number>();
          for (const s of [...a.map((r) => r.sensor), ...b]) perSensor.set(s, (perSensor.get(s) ?? 0) + 1);
          const expected = [...perSensor].flatMap(([s, n]) => Array.from({ length: n }, (_, i): [string, number] => [s, i + 1]));
          assert.deepEqual(got.map(([s, n]) => [s, n]).sort(compare), expected.sort(compare));
          // One sensor, one subtask: both inputs' records of a key met in the same place.
          for (const s of perSensor.keys()) assert.equal(new Set(got.filter((g) => g[0] === s).map((g) => g[2])).size, 1);
        }),
        { numRuns: 100 },
      );
    });
  }

  void it('rejects what is not a CoMapFunction / CoFlatMapFunction / CoProcessFunction when the job is built', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    const c = env.fromElements(1).connect(env.fromElements('a'));
    assert.throws(() => c.map({ map1: (x: number) => x } as never), TypeError);
    assert.throws(() => c.flatMap({ flatMap2: () => {} } as never), /CoFlatMapFunction/);
    assert.throws(() => c.process((() => {}) as never), /CoProcessFunction/);
    class Rich extends RichCoMapFunction<number, string, string> {
      map1(n: number): string {
        return String(n);
      }
      map2(s: string): string {
        return s;
      }
    }
    assert.doesNotThrow(() => c.map(new Rich()));
  });
});
