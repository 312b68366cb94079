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
import type { GlobalWindow, Window, WindowAssigner } from '../core/windowing.ts';
import type { OperatorSpec } from '../graph/operator-spec.ts';
import type { PartitionerSpec } from '../graph/partitioner.ts';
import type { StreamNode } from '../graph/stream-graph.ts';
import { PrintSink } from '../connectors/print/print-sink.ts';
import { CollectSink } from './collect-sink.ts';
import type { StreamExecutionEnvironment } from './stream-execution-environment.ts';
import type { KeyedStream } from './keyed-stream.ts';
import type { MapStateDescriptor } from '../core/state.ts';
import { BroadcastConnectedStream } from './broadcast-connected-stream.ts';
import { BroadcastStream } from './broadcast-stream.ts';
import { CoGroupedStreams } from './co-grouped-streams.ts';
import { ConnectedStreams } from './connected-streams.ts';
import { JoinedStreams } from './joined-streams.ts';
import { AllWindowedStream } from './all-windowed-stream.ts';
import { CountEvictor } from './windowing/count-evictor.ts';
import { CountTrigger } from './windowing/count-trigger.ts';
import { GlobalWindows } from './windowing/global-windows.ts';
import { PurgingTrigger } from './windowing/purging-trigger.ts';

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

  /** @internal adds an operator reading this stream (and, for a two-input operator, `secondInputs` as its second input). */
  transform<R>(name: string, operator: OperatorSpec, secondInputs: readonly StreamInput[] = []): DataStream<R> {
    const id = this.env.addOperator(name, operator, this.inputs, secondInputs);
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

  /**
   * Keeps the records for which `fn` returns true. With a type guard (`(e): e is Bid =>
   * e.type === 'bid'`) the result is a stream of the narrowed type.
   */
  filter<S extends T>(fn: (value: T) => value is S): DataStream<S>;
  filter(fn: FilterFunction<T>): DataStream<T>;
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

  /**
   * Every record to every downstream subtask. With state descriptors: a BroadcastStream for
   * the broadcast state pattern (`other.connect(broadcastStream).process(...)`), whose
   * connected operator keeps these broadcast states in every subtask; as Flink's.
   * @throws RivuletError(INVALID_GRAPH) for two descriptors with the same name.
   */
  broadcast(): DataStream<T>;
  broadcast(...descriptors: [MapStateDescriptor<any, any>, ...MapStateDescriptor<any, any>[]]): BroadcastStream<T>;
  broadcast(...descriptors: MapStateDescriptor<any, any>[]): DataStream<T> | BroadcastStream<T> {
    if (descriptors.length > 0) return new BroadcastStream<T>(this.env, this.inputs, descriptors);
    return this.partition({ kind: 'broadcast' });
  }

  /**
   * Connects this stream to another, possibly of another type, for an operator with a
   * method per input (CoMap, CoFlatMap, CoProcess); or to a BroadcastStream, for the
   * broadcast state pattern. As Flink's `connect`.
   */
  connect<B>(other: BroadcastStream<B>): BroadcastConnectedStream<T, B>;
  connect<B>(other: DataStream<B>): ConnectedStreams<T, B>;
  connect<B>(other: DataStream<B> | BroadcastStream<B>): ConnectedStreams<T, B> | BroadcastConnectedStream<T, B> {
    if (other instanceof BroadcastStream) return new BroadcastConnectedStream<T, B>(this, other);
    return new ConnectedStreams<T, B>(this, other);
  }

  /** A window join with `other`: `.where(keyA).equalTo(keyB).window(assigner).apply(fn)`; as Flink's `join`. */
  join<B>(other: DataStream<B>): JoinedStreams<T, B> {
    if (other.env !== this.env) throw new RivuletError('INVALID_GRAPH', 'join() of streams from different environments');
    return new JoinedStreams<T, B>(this, other);
  }

  /** A window coGroup with `other`: `.where(keyA).equalTo(keyB).window(assigner).apply(fn)`; as Flink's `coGroup`. */
  coGroup<B>(other: DataStream<B>): CoGroupedStreams<T, B> {
    if (other.env !== this.env) throw new RivuletError('INVALID_GRAPH', 'coGroup() of streams from different environments');
    return new CoGroupedStreams<T, B>(this, other);
  }

  /** Every record to the first downstream subtask. */
  global(): DataStream<T> {
    return this.partition({ kind: 'global' });
  }

  /** Subtask i to subtask i; requires equal parallelism (then the operators are chained). */
  forward(): DataStream<T> {
    return this.partition({ kind: 'forward' });
  }

  /**
   * Groups the whole (non-keyed) stream into windows, evaluated by one subtask (parallelism
   * 1, as Flink's `windowAll`).
   */
  windowAll<W extends Window>(assigner: WindowAssigner<T, W>): AllWindowedStream<T, W> {
    return new AllWindowedStream<T, W>(this, assigner);
  }

  /**
   * Non-keyed windows of `size` records (with `slide`: every `slide` records, the last
   * `size`); as Flink's `countWindowAll`, see {@link KeyedStream.countWindow}.
   * @throws RangeError when size or slide is not a positive integer.
   */
  countWindowAll(size: number, slide?: number): AllWindowedStream<T, GlobalWindow> {
    const windowed = this.windowAll(GlobalWindows.create());
    if (slide === undefined) return windowed.trigger(PurgingTrigger.of(CountTrigger.of(size)));
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`countWindowAll size must be an integer >= 1, got ${size}`);
    return windowed.evictor(CountEvictor.of(size)).trigger(CountTrigger.of(slide));
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
