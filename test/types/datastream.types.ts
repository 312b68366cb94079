/**
 * Type tests of the DataStream API: the types users get inferred, and the programs that
 * must not compile (each `@ts-expect-error` says why; an error that stops happening fails
 * `tsc` as an unused directive). Checked by `npm run typecheck`, never executed: the
 * programs are built inside a function nobody calls.
 */
import {
  DataGeneratorSource,
  Duration,
  OutputTag,
  PrintSink,
  ProcessWindowFunction,
  RichMapFunction,
  TumblingEventTimeWindows,
  WatermarkStrategy,
} from '../../src/index.ts';
import type {
  AggregateFunction,
  Collector,
  DataStream,
  JobExecutionResult,
  KeyedStream,
  NumericField,
  Sink,
  StreamExecutionEnvironment,
  TimeWindow,
  WindowedStream,
} from '../../src/index.ts';
import type { KeyTypeError } from '../../src/core/keys.ts';
import type { Equal, Expect } from './type-assert.ts';
import { expectType } from './type-assert.ts';

interface Flight {
  readonly origin: string;
  readonly dest: string;
  readonly carrier: string;
  readonly depDelay: number;
  readonly distance: number;
  readonly time: number;
  readonly cancelled: boolean;
}

interface OriginCount {
  readonly origin: string;
  readonly windowStart: number;
  readonly count: number;
}

/** Counts records; IN is Flight, OUT is number. */
const countFlights: AggregateFunction<Flight, number, number> = {
  createAccumulator: () => 0,
  add: (_f, acc) => acc + 1,
  getResult: (acc) => acc,
  merge: (a, b) => a + b,
};

/** Average delay with a tuple accumulator, written as a class. */
class AverageDelay implements AggregateFunction<Flight, [sum: number, n: number], number> {
  createAccumulator(): [number, number] {
    return [0, 0];
  }
  add(f: Flight, acc: [number, number]): [number, number] {
    return [acc[0] + f.depDelay, acc[1] + 1];
  }
  getResult(acc: [number, number]): number {
    return acc[1] === 0 ? 0 : acc[0] / acc[1];
  }
  merge(a: [number, number], b: [number, number]): [number, number] {
    return [a[0] + b[0], a[1] + b[1]];
  }
}

class CountPerOrigin extends ProcessWindowFunction<number, OriginCount, string, TimeWindow> {
  process(origin: string, ctx: ProcessWindowFunction.Context<TimeWindow>, counts: Iterable<number>, out: Collector<OriginCount>): void {
    for (const count of counts) out.collect({ origin, windowStart: ctx.window().start, count });
  }
}

export function inferredTypes(env: StreamExecutionEnvironment, flights: DataStream<Flight>): void {
  // Sources.
  expectType<DataStream<number>>()(env.fromElements(1, 2));
  expectType<DataStream<string>>()(env.fromCollection(['a', 'b']));
  expectType<DataStream<{ id: number }>>()(env.fromSource(new DataGeneratorSource((i) => ({ id: i }), 10), undefined, 'gen'));

  // map infers R from the lambda (or from a RichMapFunction), filter keeps T.
  expectType<DataStream<string>>()(flights.map((f) => f.origin));
  expectType<DataStream<{ route: string; late: boolean }>>()(flights.map((f) => ({ route: `${f.origin}-${f.dest}`, late: f.depDelay > 15 })));
  class Tag extends RichMapFunction<Flight, [number, string]> {
    map(f: Flight): [number, string] {
      return [this.getRuntimeContext().indexOfThisSubtask, f.origin];
    }
  }
  expectType<DataStream<[number, string]>>()(flights.map(new Tag()));
  expectType<DataStream<Flight>>()(flights.filter((f) => !f.cancelled));
  // A type guard (declared, or inferred from the lambda) narrows the stream.
  type Shape = { kind: 'circle'; r: number } | { kind: 'square'; side: number };
  const shapes = env.fromElements<Shape>({ kind: 'circle', r: 1 });
  expectType<DataStream<{ kind: 'circle'; r: number }>>()(shapes.filter((s) => s.kind === 'circle'));
  expectType<DataStream<{ kind: 'square'; side: number }>>()(shapes.filter((s): s is Extract<Shape, { kind: 'square' }> => s.kind === 'square'));

  // flatMap infers R from the collector.
  expectType<DataStream<string>>()(
    flights.flatMap((f, out: Collector<string>) => {
      out.collect(f.origin);
      out.collect(f.dest);
    }),
  );

  // keyBy infers K: primitives, literal unions, tuples.
  const byOrigin = flights.keyBy((f) => f.origin);
  expectType<KeyedStream<Flight, string>>()(byOrigin);
  expectType<KeyedStream<Flight, number>>()(flights.keyBy((f) => f.distance));
  expectType<KeyedStream<Flight, boolean>>()(flights.keyBy((f) => f.cancelled));
  expectType<KeyedStream<Flight, readonly [string, string]>>()(flights.keyBy((f) => [f.origin, f.dest] as const));
  expectType<KeyedStream<Flight, 'long' | 'short'>>()(flights.keyBy((f) => (f.distance > 1000 ? 'long' : 'short')));
  // A keyed stream is still a DataStream of its records.
  expectType<DataStream<Flight>>()(byOrigin.filter((f) => f.depDelay > 0));

  // Rolling aggregations keep T.
  expectType<DataStream<Flight>>()(byOrigin.reduce((a, b) => (a.depDelay >= b.depDelay ? a : b)));
  expectType<DataStream<Flight>>()(byOrigin.sum('depDelay'));
  expectType<DataStream<Flight>>()(byOrigin.maxBy('distance'));
  type _NumericFieldsOfFlight = Expect<Equal<NumericField<Flight>, 'depDelay' | 'distance' | 'time'>>;

  // Windows: the assigner gives W, aggregate gives R from the AggregateFunction ...
  const windowed = byOrigin.window(TumblingEventTimeWindows.of(Duration.ofHours(1)));
  expectType<WindowedStream<Flight, string, TimeWindow>>()(windowed);
  expectType<DataStream<number>>()(windowed.aggregate(countFlights));
  expectType<DataStream<number>>()(windowed.aggregate(new AverageDelay()));
  // ... or from the window function when there is one (class or lambda; K and W flow into it).
  expectType<DataStream<OriginCount>>()(windowed.aggregate(countFlights, new CountPerOrigin()));
  expectType<DataStream<string>>()(
    windowed.aggregate(new AverageDelay(), (origin, window, averages, out: Collector<string>) => {
      expectType<string>()(origin);
      expectType<TimeWindow>()(window);
      for (const avg of averages) out.collect(`${origin}@${window.start}: ${avg.toFixed(1)}`);
    }),
  );
  expectType<DataStream<Flight>>()(windowed.reduce((a, b) => (a.depDelay >= b.depDelay ? a : b)));
  expectType<DataStream<OriginCount>>()(
    windowed.reduce(
      (a, b) => (a.depDelay >= b.depDelay ? a : b),
      (origin, window, worst, out: Collector<OriginCount>) => {
        for (const f of worst) out.collect({ origin, windowStart: window.start, count: f.depDelay });
      },
    ),
  );

  // Side outputs carry the tag's type.
  const late = new OutputTag<Flight>('late-flights');
  const counted = byOrigin.window(TumblingEventTimeWindows.of(Duration.ofMinutes(10))).sideOutputLateData(late).aggregate(countFlights);
  expectType<DataStream<Flight>>()(counted.getSideOutput(late));
  expectType<DataStream<{ reason: string }>>()(counted.getSideOutput(new OutputTag<{ reason: string }>('malformed')));

  // Running.
  expectType<Promise<number[]>>()(env.fromElements(1, 2).executeAndCollect());
  expectType<Promise<Flight[]>>()(flights.executeAndCollect());
  expectType<Promise<JobExecutionResult>>()(env.execute('job'));

  // Event time.
  const strategy = WatermarkStrategy.forBoundedOutOfOrderness<Flight>(Duration.ofSeconds(5)).withTimestampAssigner((f) => f.time);
  expectType<WatermarkStrategy<Flight>>()(strategy);
  expectType<WatermarkStrategy<Flight>>()(WatermarkStrategy.forBoundedOutOfOrderness(Duration.ofSeconds(5)).withTimestampAssigner((f: Flight) => f.time));
  expectType<DataStream<Flight>>()(flights.assignTimestampsAndWatermarks(strategy));
  expectType<number>()(Duration.ofHours(1).toMillis());

  // Operator settings return the same stream type, so they chain.
  expectType<DataStream<string>>()(flights.map((f) => f.origin).uid('origins').name('Origins').setParallelism(2).startNewChain());
  expectType<KeyedStream<Flight, string>>()(byOrigin.setMaxParallelism(256));
}

export function programsThatMustNotCompile(env: StreamExecutionEnvironment, flights: DataStream<Flight>, strings: Sink<string>): void {
  // @ts-expect-error an object is not a key: it has no stable identity across threads
  flights.keyBy((f) => ({ origin: f.origin }));
  // @ts-expect-error a Date is an object, not a key
  flights.keyBy((f) => new Date(f.time));
  // @ts-expect-error a key that is sometimes an object is not a key either
  flights.keyBy((f) => (f.cancelled ? f.origin : { origin: f.origin }));
  // @ts-expect-error a tuple may only hold primitives
  flights.keyBy((f) => [f.origin, { dest: f.dest }] as const);

  const byOrigin = flights.keyBy((f) => f.origin);
  // @ts-expect-error sum() takes the name of a numeric field, not of a string field
  byOrigin.sum('origin');
  // @ts-expect-error ... nor a boolean one
  byOrigin.max('cancelled');
  // @ts-expect-error ... nor a field that does not exist
  byOrigin.sum('delay');

  // @ts-expect-error map() to string gives a DataStream<string>, not DataStream<number>
  const _distances: DataStream<number> = flights.map((f) => f.origin);
  // @ts-expect-error the next function expects numbers but gets strings
  flights.map((f) => f.origin).map((n: number) => n + 1);
  // @ts-expect-error a filter must return a boolean
  flights.filter((f) => f.origin);

  // @ts-expect-error a Sink<string> cannot take Flight records
  flights.sinkTo(strings);
  // @ts-expect-error a PrintSink<number> cannot take Flight records
  flights.sinkTo(new PrintSink<number>());

  const windowed = byOrigin.window(TumblingEventTimeWindows.of(Duration.ofHours(1)));
  const countStrings: AggregateFunction<string, number, number> = { createAccumulator: () => 0, add: (_s, n) => n + 1, getResult: (n) => n, merge: (a, b) => a + b };
  // @ts-expect-error the AggregateFunction takes strings, the stream has Flights
  windowed.aggregate(countStrings);
  // @ts-expect-error the window function expects the aggregate's output (number), not strings
  windowed.aggregate(countFlights, (_k, _w, _in: Iterable<string>, _out: Collector<string>) => {});
  // @ts-expect-error the window function's key is a string for keyBy(f => f.origin)
  windowed.aggregate(countFlights, (_k: number, _w, _in, _out: Collector<number>) => {});

  // @ts-expect-error a window size is a Duration, not a number of milliseconds
  TumblingEventTimeWindows.of(3_600_000);
  // @ts-expect-error an object that looks like a Duration is not one
  WatermarkStrategy.forBoundedOutOfOrderness<Flight>({ toMillis: () => 5000 });
  // @ts-expect-error allowed lateness is a Duration too
  windowed.allowedLateness(1000);

  // @ts-expect-error window() exists on keyed streams only: call keyBy() first
  flights.window(TumblingEventTimeWindows.of(Duration.ofHours(1)));

  // @ts-expect-error a late-data tag must carry the window's input type
  windowed.sideOutputLateData(new OutputTag<string>('late'));
  // @ts-expect-error a timestamp assigner returns epoch milliseconds
  WatermarkStrategy.forBoundedOutOfOrderness<Flight>(Duration.ofSeconds(1)).withTimestampAssigner((f) => new Date(f.time));

  void env;
}

// The keyBy error is a sentence, not a type dump: the selector's return type is checked
// against this string literal, so it appears verbatim in the compiler's message.
type _KeyErrorReadsAsASentence = Expect<
  Equal<
    KeyTypeError<{ origin: string }>,
    'Rivulet: keyBy must return a string, number, boolean, bigint or a tuple of these (objects have no stable identity across threads)'
  >
>;
type _KeysPassThrough = Expect<Equal<KeyTypeError<readonly [string, number]>, readonly [string, number]>>;

// The helper itself: exact types only.
export function helperSelfTest(n: number, a: any, u: unknown): void {
  expectType<number>()(n);
  // @ts-expect-error number is not string
  expectType<string>()(n);
  // @ts-expect-error any is not number
  expectType<number>()(a);
  // @ts-expect-error unknown is not any
  expectType<any>()(u);
  // @ts-expect-error a subtype is not the same type
  expectType<{ a: string }>()({ a: 'x', b: 1 } as { a: string; b: number });
}
