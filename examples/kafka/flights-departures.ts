/**
 * Departures per origin airport and hour (examples/flights/departures-per-origin-hour.ts)
 * from a Kafka topic of flights to a Kafka topic of result rows, exactly once.
 *
 *   node scripts/kafka-load.ts --bootstrap-servers 127.0.0.1:9092 --topic flights --partitions 4 \
 *     --file data/nycflights13/flights_2013.csv.gz
 *   npx rivulet run -p 2 examples/kafka/flights-departures.ts --bootstrap-servers 127.0.0.1:9092 \
 *     --input-topic flights --output-topic departures-per-origin-hour --bounded
 *
 * Input: one CSV line per flight, columns as in data/nycflights13 (see
 * flights-departures-pipeline.ts). Output: key the origin, value the row as JSON. Event time
 * is the departure with 24 hours of bounded out-of-orderness, watermarks per partition.
 * The sink is EXACTLY_ONCE: checkpoints (every `--checkpoint-interval` ms, default 2000)
 * commit its Kafka transactions, so `read_committed` consumers see every row once, even
 * across failures and restarts. `--bounded` reads up to the offsets that were the latest when
 * the job started and then ends; without it the job runs until cancelled.
 *
 * Options: --group-id (default flights-departures), --transactional-id-prefix (default
 * flights-departures-<output topic>), --columns c1,c2,… (the order of the CSV fields).
 */
import { CheckpointingMode, OffsetsInitializer, ParameterTool, StreamExecutionEnvironment } from 'rivulet';
import { buildFlightsDeparturesJob } from './flights-departures-pipeline.ts';

const params = ParameterTool.fromArgs(process.argv.slice(2));
const bootstrapServers = params.getRequired('bootstrap-servers');
const outputTopic = params.getRequired('output-topic');
const columns = params.get('columns');

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.enableCheckpointing(Number(params.get('checkpoint-interval') ?? 2000), CheckpointingMode.EXACTLY_ONCE);
buildFlightsDeparturesJob(env, {
  source: {
    bootstrapServers,
    topic: params.getRequired('input-topic'),
    groupId: params.get('group-id') ?? 'flights-departures',
    stopping: params.has('bounded') ? OffsetsInitializer.latest() : undefined,
    columns: columns?.split(','),
  },
  sink: {
    bootstrapServers,
    topic: outputTopic,
    transactionalIdPrefix: params.get('transactional-id-prefix') ?? `flights-departures-${outputTopic}`,
  },
});
await env.execute('kafka-flights-departures');
