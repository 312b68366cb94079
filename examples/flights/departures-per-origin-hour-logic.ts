/**
 * What the departures-per-origin-hour jobs share, whatever they read and write
 * (examples/flights/departures-per-origin-hour.ts: CSV files; examples/kafka/flights-departures.ts:
 * Kafka topics): the departure record, its event time (24 hours of bounded out-of-orderness)
 * and the window — per origin airport and 1-hour tumbling event-time window, the number of
 * departures and the sum and max of the departure delay (minutes).
 */
import { Duration, ProcessWindowFunction, TumblingEventTimeWindows, WatermarkStrategy } from 'rivulet';
import type { AggregateFunction, Collector, DataStream, TimeWindow } from 'rivulet';

/** A flight that departed: `dep_epoch` in epoch seconds, `dep_delay` in minutes (0 if unknown). */
export interface Departure {
  dep_epoch: number;
  dep_delay: number;
  origin: string;
}

/** One result row; the column order of the CSV output. */
export interface OriginHour {
  window_start: string;
  window_end: string;
  origin: string;
  departures: number;
  total_dep_delay_min: number;
  max_dep_delay_min: number;
}

export const ORIGIN_HOUR_COLUMNS: readonly (keyof OriginHour)[] = ['window_start', 'window_end', 'origin', 'departures', 'total_dep_delay_min', 'max_dep_delay_min'];

/**
 * Event time is the actual departure (seconds -> ms). Flights that left after midnight of
 * their scheduled day appear up to a day late in the data, hence 24 hours of allowed
 * out-of-orderness.
 */
export function departureTime(): WatermarkStrategy<Departure> {
  return WatermarkStrategy.forBoundedOutOfOrderness<Departure>(Duration.ofHours(24)).withTimestampAssigner((f) => f.dep_epoch * 1000);
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

/** keyBy origin, 1-hour tumbling event-time windows, the delay statistics (uid `departures-per-origin-hour`). */
export function departuresPerOriginHour(departures: DataStream<Departure>): DataStream<OriginHour> {
  return departures
    .keyBy((f) => f.origin)
    .window(TumblingEventTimeWindows.of(Duration.ofHours(1)))
    .aggregate(delayStats, new ToOriginHour())
    .name('Departures per origin and hour')
    .uid('departures-per-origin-hour');
}
