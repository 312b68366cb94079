/**
 * Turnaround of aircraft at New York airports in 2013: for each departure, the next
 * departure of the same aircraft (`tailnum`) within 24 hours and the time in between — an
 * interval join of the departures with themselves.
 *
 *   npx rivulet run -p 2 examples/flights/tailnum-turnaround.ts \
 *     --input data/nycflights13/flights_2013.csv.gz --output out/tailnum-turnaround
 *
 * 1. Departures keyed by tailnum are joined with themselves: departure a pairs with every
 *    later departure b of the same aircraft with a.ts < b.ts <= a.ts + 24 h
 *    (`between(0, 24 h)` with an exclusive lower bound).
 * 2. Of a's pairs the earliest b is the next departure. The pairs of one departure are
 *    keyed by (tailnum, a.ts) and a KeyedProcessFunction keeps the earliest in ValueState.
 *    Once the watermark passes a.ts + 24 h, no pair of a can come any more (the join emits
 *    a pair before the watermark passes b.ts, and b.ts <= a.ts + 24 h), so an event-time
 *    timer at a.ts + 24 h + 1 ms writes the result and clears the state.
 *
 * Event time is the actual departure (`dep_epoch`, seconds -> ms), with 24 hours of
 * out-of-orderness as in departures-per-origin-hour.ts (no departure is late). Cancelled
 * flights (no departure time) and flights without a tailnum are skipped and counted. A
 * departure without another one of its aircraft in the next 24 hours has no row.
 */
import {
  CsvTypes,
  Duration,
  FileSink,
  FileSource,
  KeyedProcessFunction,
  ParameterTool,
  ProcessJoinFunction,
  RichFilterFunction,
  StreamExecutionEnvironment,
  ValueStateDescriptor,
  WatermarkStrategy,
} from 'rivulet';
import type { Collector, Counter, CsvRow, OpenContext, ValueState } from 'rivulet';

const params = ParameterTool.fromArgs(process.argv.slice(2));
const input = params.getRequired('input');
const output = params.getRequired('output');

const WITHIN = Duration.ofHours(24);

const schema = {
  dep_epoch: CsvTypes.integer().nullable(),
  tailnum: CsvTypes.string(),
  carrier: CsvTypes.string(),
  flight: CsvTypes.integer(),
  origin: CsvTypes.string(),
  dest: CsvTypes.string(),
};
type Flight = CsvRow<typeof schema>;
type Departure = { tailnum: string; dep_epoch: number; flight: string; origin: string; dest: string };

/** Keeps departed flights with an aircraft; counts the others. */
class DepartedWithAircraft extends RichFilterFunction<Flight> {
  private cancelled!: Counter;
  private noTailnum!: Counter;
  override open(_ctx: OpenContext): void {
    this.cancelled = this.getRuntimeContext().getCounter('cancelled');
    this.noTailnum = this.getRuntimeContext().getCounter('no tailnum');
  }
  filter(f: Flight): boolean {
    if (f.dep_epoch === null) {
      this.cancelled.add(1);
      return false;
    }
    if (f.tailnum === '') {
      this.noTailnum.add(1);
      return false;
    }
    return true;
  }
}

interface LaterDeparture {
  readonly departure: Departure;
  readonly later: Departure;
}

/** Every pair (a, b) of the join: b departs after a, within 24 hours. */
class PairUp extends ProcessJoinFunction<Departure, Departure, LaterDeparture> {
  processElement(a: Departure, b: Departure, _ctx: ProcessJoinFunction.Context, out: Collector<LaterDeparture>): void {
    out.collect({ departure: a, later: b });
  }
}

interface Turnaround {
  tailnum: string;
  departure: string;
  flight: string;
  route: string;
  next_departure: string;
  next_flight: string;
  next_route: string;
  minutes_between: number;
}

/** Per departure (key: tailnum and departure time), the earliest later departure, written when no earlier one can come. */
class NextDeparture extends KeyedProcessFunction<string, LaterDeparture, Turnaround> {
  private earliest!: ValueState<LaterDeparture>;
  override open(_ctx: OpenContext): void {
    this.earliest = this.getRuntimeContext().getState(new ValueStateDescriptor<LaterDeparture>('earliest later departure'));
  }
  processElement(pair: LaterDeparture, ctx: KeyedProcessFunction.Context<string>, _out: Collector<Turnaround>): void {
    const current = this.earliest.value();
    if (current === undefined) {
      this.earliest.update(pair);
      ctx.timerService().registerEventTimeTimer(pair.departure.dep_epoch * 1000 + WITHIN.toMillis() + 1);
    } else if (pair.later.dep_epoch < current.later.dep_epoch) {
      this.earliest.update(pair);
    }
  }
  override onTimer(_timestamp: number, _ctx: KeyedProcessFunction.OnTimerContext<string>, out: Collector<Turnaround>): void {
    const { departure: a, later: b } = this.earliest.value()!;
    out.collect({
      tailnum: a.tailnum,
      departure: new Date(a.dep_epoch * 1000).toISOString(),
      flight: a.flight,
      route: `${a.origin}-${a.dest}`,
      next_departure: new Date(b.dep_epoch * 1000).toISOString(),
      next_flight: b.flight,
      next_route: `${b.origin}-${b.dest}`,
      minutes_between: (b.dep_epoch - a.dep_epoch) / 60,
    });
    this.earliest.clear();
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();

const byAircraft = env
  .fromSource(FileSource.forCsv(input, schema), undefined, 'flights')
  .uid('flights-source')
  .filter(new DepartedWithAircraft())
  .name('Departed, with tailnum')
  .uid('departed-with-tailnum')
  .map((f): Departure => ({ tailnum: f.tailnum, dep_epoch: f.dep_epoch!, flight: `${f.carrier}${f.flight}`, origin: f.origin, dest: f.dest }))
  .name('To departure')
  .uid('to-departure')
  .assignTimestampsAndWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<Departure>(Duration.ofHours(24)).withTimestampAssigner((d) => d.dep_epoch * 1000))
  .uid('departure-time')
  .keyBy((d) => d.tailnum);

byAircraft
  .intervalJoin(byAircraft)
  .between(Duration.ZERO, WITHIN)
  .lowerBoundExclusive()
  .process(new PairUp())
  .name('Later departures within 24 h')
  .uid('later-departures')
  .keyBy((p) => `${p.departure.tailnum}|${p.departure.dep_epoch}`)
  .process(new NextDeparture())
  .name('Next departure')
  .uid('next-departure')
  .sinkTo(
    FileSink.forCsv<Turnaround>(output, {
      columns: ['tailnum', 'departure', 'flight', 'route', 'next_departure', 'next_flight', 'next_route', 'minutes_between'],
    }),
  )
  .name('CSV part files')
  .uid('csv-sink');

const result = await env.execute('tailnum-turnaround');
console.log(`cancelled flights skipped: ${result.getAccumulatorResult('cancelled') ?? 0}`);
console.log(`flights without tailnum skipped: ${result.getAccumulatorResult('no tailnum') ?? 0}`);
