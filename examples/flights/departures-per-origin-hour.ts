/**
 * Departures per origin airport and hour of 2013 New York flights, in event time.
 *
 *   npx rivulet run -p 2 examples/flights/departures-per-origin-hour.ts \
 *     --input data/nycflights13/flights_2013.csv.gz --output out/departures
 *
 * Event time is the actual departure (`dep_epoch`, seconds -> ms). Cancelled flights have
 * no departure time: they are skipped and counted in the `cancelled` counter. Flights that
 * left after midnight of their scheduled day appear up to a day late in the file, hence
 * 24 hours of allowed out-of-orderness. Per origin and 1-hour tumbling window the job
 * writes the number of departures, the sum and the max of the departure delay (minutes).
 *
 * `--checkpoint-interval <ms>` (off by default) enables exactly-once checkpoints: the CSV
 * part files are then committed on checkpoint completion (FileSink's two-phase commit).
 */
import {
  CheckpointingMode,
  CsvTypes,
  Duration,
  FileSink,
  FileSource,
  ParameterTool,
  ProcessWindowFunction,
  RichFilterFunction,
  StreamExecutionEnvironment,
  TumblingEventTimeWindows,
  WatermarkStrategy,
} from 'rivulet';
import type { AggregateFunction, Collector, Counter, CsvRow, OpenContext, TimeWindow } from 'rivulet';

const params = ParameterTool.fromArgs(process.argv.slice(2));
const input = params.getRequired('input');
const output = params.getRequired('output');
const checkpointInterval = params.has('checkpoint-interval') ? Number(params.getRequired('checkpoint-interval')) : undefined;

const schema = {
  dep_epoch: CsvTypes.integer().nullable(),
  dep_delay: CsvTypes.number().nullable(),
  origin: CsvTypes.string(),
};
type Flight = CsvRow<typeof schema>;
type Departure = { dep_epoch: number; dep_delay: number; origin: string };

/** Keeps departed flights; counts the cancelled ones (no departure time). */
class SkipCancelled extends RichFilterFunction<Flight> {
  private cancelled!: Counter;
  override open(_ctx: OpenContext): void {
    this.cancelled = this.getRuntimeContext().getCounter('cancelled');
  }
  filter(f: Flight): boolean {
    if (f.dep_epoch === null) {
      this.cancelled.add(1);
      return false;
    }
    return true;
  }
}

interface DelayStats {
  departures: number;
  totalDelay: number;
  maxDelay: number;
}

const delayStats: AggregateFunction<Departure, DelayStats, DelayStats> = {
  createAccumulator: () => ({ departures: 0, totalDelay: 0, maxDelay: Number.NEGATIVE_INFINITY }),
  add: (f, acc) => {
    acc.departures++;
    acc.totalDelay += f.dep_delay;
    if (f.dep_delay > acc.maxDelay) acc.maxDelay = f.dep_delay;
    return acc;
  },
  getResult: (acc) => acc,
  merge: (a, b) => ({ departures: a.departures + b.departures, totalDelay: a.totalDelay + b.totalDelay, maxDelay: Math.max(a.maxDelay, b.maxDelay) }),
};

interface OriginHour {
  window_start: string;
  window_end: string;
  origin: string;
  departures: number;
  total_dep_delay_min: number;
  max_dep_delay_min: number;
}

class ToOriginHour extends ProcessWindowFunction<DelayStats, OriginHour, string, TimeWindow> {
  process(origin: string, ctx: ProcessWindowFunction.Context<TimeWindow>, stats: Iterable<DelayStats>, out: Collector<OriginHour>): void {
    const w = ctx.window();
    for (const s of stats) {
      out.collect({
        window_start: new Date(w.start).toISOString(),
        window_end: new Date(w.end).toISOString(),
        origin,
        departures: s.departures,
        total_dep_delay_min: s.totalDelay,
        max_dep_delay_min: s.maxDelay,
      });
    }
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
if (checkpointInterval !== undefined) env.enableCheckpointing(checkpointInterval, CheckpointingMode.EXACTLY_ONCE);

env
  .fromSource(FileSource.forCsv(input, schema), undefined, 'flights')
  .uid('flights-source')
  .filter(new SkipCancelled())
  .name('Skip cancelled')
  .uid('skip-cancelled')
  .map((f): Departure => ({ dep_epoch: f.dep_epoch!, dep_delay: f.dep_delay ?? 0, origin: f.origin }))
  .name('To departure')
  .uid('to-departure')
  .assignTimestampsAndWatermarks(
    WatermarkStrategy.forBoundedOutOfOrderness<Departure>(Duration.ofHours(24)).withTimestampAssigner((f) => f.dep_epoch * 1000),
  )
  .uid('departure-time')
  .keyBy((f) => f.origin)
  .window(TumblingEventTimeWindows.of(Duration.ofHours(1)))
  .aggregate(delayStats, new ToOriginHour())
  .name('Departures per origin and hour')
  .uid('departures-per-origin-hour')
  .sinkTo(
    FileSink.forCsv<OriginHour>(output, {
      columns: ['window_start', 'window_end', 'origin', 'departures', 'total_dep_delay_min', 'max_dep_delay_min'],
    }),
  )
  .name('CSV part files')
  .uid('csv-sink');

const result = await env.execute('departures-per-origin-hour');
console.log(`cancelled flights skipped: ${result.getAccumulatorResult('cancelled') ?? 0}`);
