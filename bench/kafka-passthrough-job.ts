/**
 * The pass-through job of `npm run bench:kafka`: every record of the input topic, value
 * bytes unchanged, to the output topic. Loaded by bench/kafka-passthrough-run.ts (and by
 * every worker thread at p > 1).
 *
 *   node bench/kafka-passthrough-job.ts --bootstrap-servers B --input-topic I --output-topic O
 *     --guarantee NONE|AT_LEAST_ONCE|EXACTLY_ONCE [--checkpoint-interval ms]
 */
import {
  CheckpointingMode,
  KafkaRecordSerializationSchema,
  KafkaSink,
  KafkaSource,
  OffsetsInitializer,
  ParameterTool,
  StreamExecutionEnvironment,
} from '../src/index.ts';
import type { DeliveryGuarantee as Guarantee } from '../src/index.ts';

const params = ParameterTool.fromArgs(process.argv.slice(2));
const bootstrap = params.getRequired('bootstrap-servers');
const guarantee = params.getRequired('guarantee') as Guarantee;
const checkpointInterval = params.has('checkpoint-interval') ? Number(params.getRequired('checkpoint-interval')) : undefined;

/** The value's bytes as they are: a pass-through measures the engine and the clients, not a format. */
const bytes = { deserialize: (b: Buffer): Buffer => b, serialize: (b: Buffer): Uint8Array => b };

const env = StreamExecutionEnvironment.getExecutionEnvironment();
if (checkpointInterval !== undefined) env.enableCheckpointing(checkpointInterval, CheckpointingMode.EXACTLY_ONCE);

const source = KafkaSource.builder<Buffer>()
  .setBootstrapServers(bootstrap)
  .setTopics(params.getRequired('input-topic'))
  .setStartingOffsets(OffsetsInitializer.earliest())
  .setBounded(OffsetsInitializer.latest())
  .setValueOnlyDeserializer(bytes)
  .build();

const sink = KafkaSink.builder<Buffer>()
  .setBootstrapServers(bootstrap)
  .setRecordSerializer(KafkaRecordSerializationSchema.builder<Buffer>().setTopic(params.getRequired('output-topic')).setValueSerializationSchema(bytes).build())
  .setDeliveryGuarantee(guarantee)
  .setTransactionalIdPrefix(`bench-${params.getRequired('output-topic')}`)
  .build();

env.fromSource(source, undefined, 'input').uid('input').sinkTo(sink).uid('output');
await env.execute('kafka pass-through');
