/**
 * The classic Kafka word count: lines of text from one topic, running counts per word to
 * another, as Flink's Kafka word count example.
 *
 *   npx rivulet run -p 2 examples/kafka/word-count.ts --bootstrap-servers 127.0.0.1:9092 \
 *     --input-topic lines --output-topic word-counts [--group-id word-count] \
 *     [--checkpoint-interval 2000] [--bounded]
 *
 * Each record's value is a line (UTF-8); it is split into lower-case words (`\W+`, as
 * Flink's Tokenizer), keyed by word and summed. Every input word produces one output record:
 * key the word, value its running count as text (`"3"`), so the last record per key is the
 * word's count so far (the output topic can be compacted).
 *
 * With `--checkpoint-interval <ms>` the job checkpoints and the sink is EXACTLY_ONCE:
 * `read_committed` consumers see each count once, after the checkpoint that covers it
 * completes. Without it, AT_LEAST_ONCE (flushed at the end of input). `--bounded` reads up
 * to the offsets that were the latest when the job started and then ends.
 */
import {
  CheckpointingMode,
  DeliveryGuarantee,
  KafkaRecordSerializationSchema,
  KafkaSink,
  KafkaSource,
  OffsetsInitializer,
  ParameterTool,
  SimpleStringSchema,
  StreamExecutionEnvironment,
} from 'rivulet';

const params = ParameterTool.fromArgs(process.argv.slice(2));
const bootstrapServers = params.getRequired('bootstrap-servers');
const outputTopic = params.getRequired('output-topic');
const checkpointInterval = params.getNumber('checkpoint-interval');

interface WordCount {
  word: string;
  count: number;
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
if (checkpointInterval !== undefined) env.enableCheckpointing(checkpointInterval, CheckpointingMode.EXACTLY_ONCE);

const source = KafkaSource.builder()
  .setBootstrapServers(bootstrapServers)
  .setTopics(params.getRequired('input-topic'))
  .setGroupId(params.get('group-id', 'word-count'))
  .setStartingOffsets(OffsetsInitializer.earliest())
  .setValueOnlyDeserializer(new SimpleStringSchema());
if (params.has('bounded')) source.setBounded(OffsetsInitializer.latest());

const sink = KafkaSink.builder<WordCount>()
  .setBootstrapServers(bootstrapServers)
  .setRecordSerializer(
    KafkaRecordSerializationSchema.builder<WordCount>()
      .setTopic(outputTopic)
      .setKeySerializationSchema({ serialize: (wc) => Buffer.from(wc.word, 'utf8') })
      .setValueSerializationSchema({ serialize: (wc) => Buffer.from(String(wc.count), 'utf8') })
      .build(),
  )
  .setDeliveryGuarantee(checkpointInterval !== undefined ? DeliveryGuarantee.EXACTLY_ONCE : DeliveryGuarantee.AT_LEAST_ONCE)
  .setTransactionalIdPrefix(params.get('transactional-id-prefix', `word-count-${outputTopic}`))
  .build();

env
  .fromSource(source.build(), undefined, 'lines')
  .uid('lines')
  .flatMap<WordCount>((line, out) => {
    for (const word of line.toLowerCase().split(/\W+/)) if (word !== '') out.collect({ word, count: 1 });
  })
  .name('Tokenizer')
  .uid('tokenizer')
  .keyBy((wc) => wc.word)
  .sum('count')
  .name('Count')
  .uid('count')
  .sinkTo(sink)
  .name('Kafka word counts')
  .uid('kafka-sink');

await env.execute('kafka-word-count');
