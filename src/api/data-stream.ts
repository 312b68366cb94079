/**
 * DataStream<T>: a stream of records of type T and the operations that build a dataflow
 * from it; as Flink's `DataStream` / `SingleOutputStreamOperator`. Nothing here runs: each
 * call adds a node to the environment's StreamGraph.
 *
 * A stream is a list of inputs (upstream node + how records reach the next operator), so
 * `union` is a concatenation and `keyBy`/`rebalance` only change the partitioner of the
 * next edge, as Flink's virtual partition nodes.
 */
import { RivuletError } from '../core/errors.ts';
import type { FilterFunction, FlatMapFunction, KeySelector, MapFunction, ProcessFunction } from '../core/functions.ts';
import type { Key, KeyTypeError } from '../core/keys.ts';
import type { OutputTag } from '../core/output-tag.ts';
import type { Sink } from '../core/sink.ts';
import type { WatermarkStrategyContract } from '../core/watermark.ts';
import type { OperatorSpec } from '../graph/operator-spec.ts';
import type { PartitionerSpec } from '../graph/partitioner.ts';
import type { StreamNode } from '../graph/stream-graph.ts';
import { PrintSink } from '../connectors/print/print-sink.ts';
import { CollectSink } from './collect-sink.ts';
import type { StreamExecutionEnvironment } from './stream-execution-environment.ts';
import type { KeyedStream } from './keyed-stream.ts';

/** @internal one upstream of a stream. */
export interface StreamInput {
  readonly nodeId: number;
  /** Undefined: forward when the parallelism matches, else rebalance (decided at build). */
  readonly partitioner: PartitionerSpec | undefined;
  readonly sideOutputTag: string | undefined;
}

/** Settings of one operator, shared by DataStream and DataStreamSink. */
abstract class OperatorHandle {
  protected abstract targetNode(what: string): StreamNode;
  protected abstract environment(): StreamExecutionEnvironment;

  /**
   * Sets the operator's stable id: state in savepoints is mapped to operators by uid.
   * @throws RivuletError(INVALID_GRAPH) on a stream that is not one operator's output (union, keyBy).
   */
  uid(uid: string): this {
    const n = this.targetNode('uid');
    n.uid = uid;
    (n as { explicitUid: boolean }).explicitUid = true;
    return this;
  }

  /** Sets the name shown in plans, metrics and errors. */
  name(name: string): this {
    this.targetNode('name').name = name;
    return this;
  }

  /** @throws RangeError for parallelism < 1 or not an integer. */
  setParallelism(parallelism: number): this {
    if (!Number.isInteger(parallelism) || parallelism < 1) throw new RangeError(`Parallelism must be an integer >= 1, got ${parallelism}`);
    const n = this.targetNode('setParallelism');
    n.parallelism = parallelism;
    this.environment().configureNode(n.id, { parallelism });
    return this;
  }

  /** Sets the number of key groups (upper bound of parallelism for rescaling) of this operator. */
  setMaxParallelism(maxParallelism: number): this {
    if (!Number.isInteger(maxParallelism) || maxParallelism < 1 || maxParallelism > 32768) {
      throw new RangeError(`Max parallelism must be an integer in [1, 32768], got ${maxParallelism}`);
    }
    const n = this.targetNode('setMaxParallelism');
    n.maxParallelism = maxParallelism;
    this.environment().configureNode(n.id, { maxParallelism });
    return this;
  }
}

export class DataStream<T> extends OperatorHandle {
  /** @internal */ readonly env: StreamExecutionEnvironment;
  /** @internal */ readonly inputs: readonly StreamInput[];
  declare readonly __type?: T;

  /** @internal set by keyed-stream.ts (breaks the import cycle DataStream <-> KeyedStream). */
  static keyedStreamFactory: (<T, K extends Key>(stream: DataStream<T>, selector: KeySelector<T, K>) => KeyedStream<T, K>) | undefined;

  /** @internal */
  constructor(env: StreamExecutionEnvironment, inputs: readonly StreamInput[]) {
    super();
    this.env = env;
    this.inputs = inputs;
  }

  protected environment(): StreamExecutionEnvironment {
    return this.env;
  }

  protected targetNode(what: string): StreamNode {
    const only = this.inputs[0];
    if (this.inputs.length !== 1 || only === undefined || only.partitioner !== undefined || only.sideOutputTag !== undefined) {
      throw new RivuletError('INVALID_GRAPH', `${what}() applies to the output of one operator, not to a union, keyBy or partitioned stream.`);
    }
    return this.env.graph.node(only.nodeId);
  }

  /** @internal adds an operator reading this stream. */
  transform<R>(name: string, operator: OperatorSpec): DataStream<R> {
    const id = this.env.addOperator(name, operator, this.inputs);
    return new DataStream<R>(this.env, [{ nodeId: id, partitioner: undefined, sideOutputTag: undefined }]);
  }

  private partition(partitioner: PartitionerSpec): DataStream<T> {
    return new DataStream<T>(
      this.env,
      this.inputs.map((i) => ({ ...i, partitioner })),
    );
  }

  /** One output record per input record. */
  map<R>(fn: MapFunction<T, R>): DataStream<R> {
    return this.transform<R>('Map', { kind: 'map', fn });
  }

  /** Keeps the records for which `fn` returns true. */
  filter(fn: FilterFunction<T>): DataStream<T> {
    return this.transform<T>('Filter', { kind: 'filter', fn });
  }

  /** Zero or more output records per input record, emitted through the collector. */
  flatMap<R>(fn: FlatMapFunction<T, R>): DataStream<R> {
    return this.transform<R>('Flat Map', { kind: 'flatMap', fn });
  }

  /** A ProcessFunction with timestamps, timers (processing time) and side outputs. */
  process<R>(fn: ProcessFunction<T, R>): DataStream<R> {
    return this.transform<R>('Process', { kind: 'process', fn });
  }

  /**
   * Partitions the stream by key: records with the same key go to the same subtask (through
   * key groups, `murmur3(key) % maxParallelism`). The key must be a string, number, boolean,
   * bigint or a tuple of these.
   */
  keyBy<K>(selector: (value: T) => KeyTypeError<K>): KeyedStream<T, Extract<K, Key>> {
    const factory = DataStream.keyedStreamFactory;
    if (factory === undefined) throw new RivuletError('INTERNAL', 'KeyedStream module not loaded');
    return factory(this, selector as KeySelector<T, Extract<K, Key>>);
  }

  /** Merges streams of the same type; order between them is not defined. */
  union(...others: DataStream<T>[]): DataStream<T> {
    for (const o of others) {
      if (o.env !== this.env) throw new RivuletError('INVALID_GRAPH', 'union() of streams from different environments');
    }
    return new DataStream<T>(this.env, [...this.inputs, ...others.flatMap((o) => o.inputs)]);
  }

  /** Round-robin over all downstream subtasks. */
  rebalance(): DataStream<T> {
    return this.partition({ kind: 'rebalance' });
  }

  /** Round-robin over a local subset of downstream subtasks. */
  rescale(): DataStream<T> {
    return this.partition({ kind: 'rescale' });
  }

  /** Every record to every downstream subtask. */
  broadcast(): DataStream<T> {
    return this.partition({ kind: 'broadcast' });
  }

  /** Every record to the first downstream subtask. */
  global(): DataStream<T> {
    return this.partition({ kind: 'global' });
  }

  /** Subtask i to subtask i; requires equal parallelism (then the operators are chained). */
  forward(): DataStream<T> {
    return this.partition({ kind: 'forward' });
  }

  /** Assigns timestamps and generates watermarks mid-stream; prefer doing it in fromSource. */
  assignTimestampsAndWatermarks(strategy: WatermarkStrategyContract<T>): DataStream<T> {
    return this.transform<T>('Timestamps/Watermarks', { kind: 'timestampsAndWatermarks', watermarkStrategy: strategy });
  }

  /** The side output `tag` of this operator (e.g. late data, malformed rows). */
  getSideOutput<X>(tag: OutputTag<X>): DataStream<X> {
    const node = this.targetNode('getSideOutput');
    return new DataStream<X>(this.env, [{ nodeId: node.id, partitioner: undefined, sideOutputTag: tag.id }]);
  }

  /** Starts a new chain at this operator (it will not be chained to its input). */
  startNewChain(): this {
    this.targetNode('startNewChain').chainingHead = true;
    return this;
  }

  /** Chains this operator with neither its input nor its outputs. */
  disableChaining(): this {
    this.targetNode('disableChaining').chainingDisabled = true;
    return this;
  }

  /** Writes the stream to a sink. */
  sinkTo(sink: Sink<T>): DataStreamSink<T> {
    const id = this.env.addOperator(String(sink), { kind: 'sink', sink }, this.inputs);
    return new DataStreamSink<T>(this.env, id);
  }

  /** Prints each record to stdout, prefixed by the subtask when parallelism > 1. */
  print(identifier?: string): DataStreamSink<T> {
    return this.sinkTo(new PrintSink<T>(identifier !== undefined ? { identifier } : {})).name('Print to Std. Out');
  }

  /**
   * Runs the job in this process and returns every record of this stream, in arrival order
   * (for tests, as Flink's `executeAndCollect`).
   * @throws the job's failure, a RivuletError naming the operator and subtask.
   */
  async executeAndCollect(jobName = 'collect'): Promise<T[]> {
    const sink = new CollectSink<T>();
    this.sinkTo(sink).name('Collect');
    await this.env.execute(jobName);
    return sink.results();
  }
}

/** The end of a stream, returned by sinkTo() / print(); as Flink's `DataStreamSink`. */
export class DataStreamSink<T> extends OperatorHandle {
  private readonly env: StreamExecutionEnvironment;
  private readonly nodeId: number;
  declare readonly __type?: T;

  /** @internal */
  constructor(env: StreamExecutionEnvironment, nodeId: number) {
    super();
    this.env = env;
    this.nodeId = nodeId;
  }

  protected environment(): StreamExecutionEnvironment {
    return this.env;
  }

  protected targetNode(): StreamNode {
    return this.env.graph.node(this.nodeId);
  }
}
