/**
 * The pieces of examples/kafka/flights-departures.ts, so that tests can run the same job
 * with a failure injected (test/examples/fixtures/kafka-flights-job.ts).
 *
 * Input: one CSV line per flight in the column order of data/nycflights13/flights_2013.csv.gz
 * (what `scripts/kafka-load.ts` writes; `columns` names another order), no header record.
 * Fields are split on commas (the flights data has no quoted fields). Cancelled flights (no
 * `dep_epoch`) are dropped by the deserializer; a line whose `dep_epoch` is not a number
 * fails the job naming topic, partition and offset.
 *
 * Output: one record per origin and hour, key the origin airport, value the row as JSON:
 * `{"window_start":"2013-01-01T10:00:00.000Z","window_end":…,"origin":"EWR","departures":5,
 * "total_dep_delay_min":-10,"max_dep_delay_min":2}`.
 */
import { DeliveryGuarantee, JsonSerializationSchema, KafkaRecordDeserializationSchema, KafkaRecordSerializationSchema, KafkaSink, KafkaSource, OffsetsInitializer, SimpleStringSchema } from 'rivulet';
import type { DataStream, StreamExecutionEnvironment } from 'rivulet';
import { departureTime, departuresPerOriginHour } from '../flights/departures-per-origin-hour-logic.ts';
import type { Departure, OriginHour } from '../flights/departures-per-origin-hour-logic.ts';

/** The header of data/nycflights13/flights_2013.csv.gz. */
export const FLIGHTS_COLUMNS: readonly string[] =
  'dep_ts_local,dep_epoch,year,month,day,dep_time,dep_delay,arr_time,arr_delay,carrier,tailnum,flight,origin,dest,air_time,distance,hour,minute'.split(',');

export interface FlightsSourceOptions {
  readonly bootstrapServers: string;
  readonly topic: string;
  readonly groupId: string;
  /** Where to stop (bounded), e.g. `OffsetsInitializer.latest()`; undefined: unbounded. */
  readonly stopping?: OffsetsInitializer | undefined;
  /** Column order of the lines (default FLIGHTS_COLUMNS). */
  readonly columns?: readonly string[] | undefined;
}

/** Departed flights from CSV lines; cancelled ones are dropped. */
export function flightsSource(o: FlightsSourceOptions): KafkaSource<Departure> {
  const columns = o.columns ?? FLIGHTS_COLUMNS;
  const at = (name: string): number => {
    const i = columns.indexOf(name);
    if (i < 0) throw new Error(`the flight columns lack ${name}: ${columns.join(',')}`);
    return i;
  };
  const iEpoch = at('dep_epoch');
  const iDelay = at('dep_delay');
  const iOrigin = at('origin');
  const text = new SimpleStringSchema();
  const builder = KafkaSource.builder()
    .setBootstrapServers(o.bootstrapServers)
    .setTopics(o.topic)
    .setGroupId(o.groupId)
    .setStartingOffsets(OffsetsInitializer.earliest())
    .setDeserializer(
      KafkaRecordDeserializationSchema.of<Departure>((record, out) => {
        const fields = text.deserialize(record.value ?? Buffer.alloc(0)).split(',');
        const epoch = fields[iEpoch] ?? '';
        if (epoch === '') return; // cancelled
        const dep_epoch = Number(epoch);
        if (!Number.isFinite(dep_epoch)) throw new Error(`dep_epoch is not a number: ${epoch}`);
        const delay = fields[iDelay] ?? '';
        out.collect({ dep_epoch, dep_delay: delay === '' ? 0 : Number(delay), origin: fields[iOrigin] ?? '' });
      }),
    );
  if (o.stopping !== undefined) builder.setBounded(o.stopping);
  return builder.build();
}

export interface OriginHourSinkOptions {
  readonly bootstrapServers: string;
  readonly topic: string;
  /** Transactional ids are `<prefix>-<subtask>-<n>`; one prefix per job writing to a cluster. */
  readonly transactionalIdPrefix: string;
}

/** Result rows as JSON, keyed by origin; EXACTLY_ONCE (Kafka transactions committed when checkpoints complete). */
export function originHourSink(o: OriginHourSinkOptions): KafkaSink<OriginHour> {
  return KafkaSink.builder<OriginHour>()
    .setBootstrapServers(o.bootstrapServers)
    .setRecordSerializer(
      KafkaRecordSerializationSchema.builder<OriginHour>()
        .setTopic(o.topic)
        .setKeySerializationSchema({ serialize: (r) => Buffer.from(r.origin, 'utf8') })
        .setValueSerializationSchema(new JsonSerializationSchema<OriginHour>())
        .build(),
    )
    .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
    .setTransactionalIdPrefix(o.transactionalIdPrefix)
    .build();
}

export interface FlightsDeparturesJobOptions {
  readonly source: FlightsSourceOptions;
  readonly sink: OriginHourSinkOptions;
  /** Applied to the departures before the window (tests inject failures here); default none. */
  readonly beforeWindow?: ((departures: DataStream<Departure>) => DataStream<Departure>) | undefined;
}

/**
 * Kafka -> departures per origin and hour -> Kafka. Watermarks per partition: the strategy
 * is the source's, so each partition's watermark trails its own latest departure by 24 hours
 * and the job's is their minimum.
 */
export function buildFlightsDeparturesJob(env: StreamExecutionEnvironment, o: FlightsDeparturesJobOptions): void {
  const departures = env.fromSource(flightsSource(o.source), departureTime(), 'flights').uid('kafka-flights-source');
  departuresPerOriginHour(o.beforeWindow === undefined ? departures : o.beforeWindow(departures))
    .sinkTo(originHourSink(o.sink))
    .name('Kafka origin-hour rows')
    .uid('kafka-sink');
}
