/**
 * StreamExecutionEnvironment: where a job starts; as Flink's. It collects the dataflow the
 * program builds and hands it to the registered executor on `execute()`.
 *
 * Building must be deterministic (no randomness, clock or I/O): the job module runs again in
 * every worker thread, which must rebuild the very same graph.
 */
import type { RestartStrategyConfig } from '../core/restart-strategy.ts';
import { CheckpointingMode } from '../core/checkpoint.ts';
import { RivuletError } from '../core/errors.ts';
import { stateBackendConfig } from '../core/state-backend.ts';
import type { StateBackend } from '../core/state-backend.ts';
import type { JobExecutionResult, JobListener } from '../core/job.ts';
import type { Source, SourceSplit } from '../core/source.ts';
import type { WatermarkStrategyContract } from '../core/watermark.ts';
import { CollectionSource } from '../connectors/collection/collection-source.ts';
import { executionPlan } from '../graph/execution-plan.ts';
import { createJobGraph } from '../graph/job-graph.ts';
import type { JobGraph } from '../graph/job-graph.ts';
import type { OperatorSpec } from '../graph/operator-spec.ts';
import { StreamGraph } from '../graph/stream-graph.ts';
import type { StreamInput } from './data-stream.ts';
import { CheckpointConfig } from './checkpoint-config.ts';
import { DataStream } from './data-stream.ts';
import { ExecutionConfig } from './execution-config.ts';
import { PlanCaptured, getEnvironmentDefaults, getPipelineExecutor } from './execution-context.ts';
import './keyed-stream.ts';

export const DEFAULT_MAX_PARALLELISM = 128;

export class StreamExecutionEnvironment {
  /** @internal the graph under construction. */
  readonly graph: StreamGraph;
  private parallelism: number;
  private maxParallelism = DEFAULT_MAX_PARALLELISM;
  private bufferTimeout = 100;
  private readonly config = new ExecutionConfig();
  private restartStrategy: RestartStrategyConfig | undefined;
  private readonly checkpointConfig = new CheckpointConfig();
  private stateBackend: StateBackend | undefined;
  private readonly listeners: JobListener[] = [];
  private nextNodeId = 1;
  /** What the program set explicitly per node (-1: follow the environment's default at build time). */
  private readonly configured = new Map<number, { parallelism: number; maxParallelism: number }>();

  private constructor() {
    this.parallelism = getEnvironmentDefaults().parallelism ?? 1;
    this.graph = new StreamGraph({ jobName: 'Rivulet Job', maxParallelism: DEFAULT_MAX_PARALLELISM, autoWatermarkInterval: 200, bufferTimeout: 100 });
  }

  /**
   * The environment for this program. Run by `rivulet run -p N`, it starts with parallelism
   * N; otherwise with 1, executing in this process.
   */
  static getExecutionEnvironment(): StreamExecutionEnvironment {
    return new StreamExecutionEnvironment();
  }

  /** Default parallelism of operators that set none. @throws RangeError for < 1. */
  setParallelism(parallelism: number): this {
    if (!Number.isInteger(parallelism) || parallelism < 1) throw new RangeError(`Parallelism must be an integer >= 1, got ${parallelism}`);
    this.parallelism = parallelism;
    return this;
  }

  getParallelism(): number {
    return this.parallelism;
  }

  /** Number of key groups: the most a keyed operator can ever be rescaled to. Default 128. */
  setMaxParallelism(maxParallelism: number): this {
    if (!Number.isInteger(maxParallelism) || maxParallelism < 1 || maxParallelism > 32768) {
      throw new RangeError(`Max parallelism must be an integer in [1, 32768], got ${maxParallelism}`);
    }
    this.maxParallelism = maxParallelism;
    return this;
  }

  getMaxParallelism(): number {
    return this.maxParallelism;
  }

  /**
   * Longest time (ms) a partly filled batch of records waits before it is sent downstream;
   * 0 sends every record at once (lowest latency, lowest throughput). Default 100 ms.
   */
  setBufferTimeout(ms: number): this {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`Buffer timeout must be >= 0 ms, got ${ms}`);
    this.bufferTimeout = ms;
    return this;
  }

  getConfig(): ExecutionConfig {
    return this.config;
  }

  /**
   * Checkpoints the job's state every `intervalMs` (DESIGN.md §7); as Flink's. More settings
   * in {@link getCheckpointConfig}.
   * @throws RangeError for an interval below 10 ms.
   */
  enableCheckpointing(intervalMs: number, mode: CheckpointingMode = CheckpointingMode.EXACTLY_ONCE): this {
    this.checkpointConfig.setCheckpointInterval(intervalMs);
    this.checkpointConfig.setCheckpointingConsistencyMode(mode);
    return this;
  }

  getCheckpointConfig(): CheckpointConfig {
    return this.checkpointConfig;
  }

  /**
   * What the cluster does when a task fails (RestartStrategies.noRestart(),
   * fixedDelayRestart, exponentialDelayRestart, failureRateRestart); as Flink's. Default:
   * no restart without checkpointing, fixed delay with unbounded attempts with it.
   */
  setRestartStrategy(strategy: RestartStrategyConfig): this {
    this.restartStrategy = strategy;
    return this;
  }

  getRestartStrategy(): RestartStrategyConfig | undefined {
    return this.restartStrategy;
  }

  /**
   * Where keyed state lives: `new HashMapStateBackend()` (the JS heap; the default) or
   * `new LmdbStateBackend({ path })` (an embedded on-disk database, for state larger than
   * memory); as Flink's. Every keyed operator subtask gets a backend of its own.
   */
  setStateBackend(backend: StateBackend): this {
    this.stateBackend = backend;
    return this;
  }

  /** The backend set with {@link setStateBackend}, or undefined for the default. */
  getStateBackend(): StateBackend | undefined {
    return this.stateBackend;
  }

  registerJobListener(listener: JobListener): void {
    this.listeners.push(listener);
  }

  /** @internal records an explicit setting of a node (called by DataStream.setParallelism). */
  configureNode(id: number, setting: { parallelism?: number; maxParallelism?: number }): void {
    const n = this.graph.node(id);
    const c = this.configured.get(id) ?? { parallelism: n.parallelism, maxParallelism: n.maxParallelism };
    this.configured.set(id, { parallelism: setting.parallelism ?? c.parallelism, maxParallelism: setting.maxParallelism ?? c.maxParallelism });
  }

  /**
   * @internal adds a node reading `inputs`; a two-input operator reads `inputs` as its first
   * input and `secondInputs` as its second.
   */
  addOperator(name: string, operator: OperatorSpec, inputs: readonly StreamInput[], secondInputs: readonly StreamInput[] = []): number {
    const id = this.nextNodeId++;
    this.graph.nodes.set(id, {
      id,
      name,
      uid: undefined,
      explicitUid: false,
      parallelism: -1,
      maxParallelism: -1,
      operator,
      chainingHead: false,
      chainingDisabled: false,
    });
    for (const input of inputs) {
      this.pendingEdges.push({ sourceId: input.nodeId, targetId: id, partitioner: input.partitioner, sideOutputTag: input.sideOutputTag, typeNumber: 1 });
    }
    for (const input of secondInputs) {
      this.pendingEdges.push({ sourceId: input.nodeId, targetId: id, partitioner: input.partitioner, sideOutputTag: input.sideOutputTag, typeNumber: 2 });
    }
    return id;
  }

  private readonly pendingEdges: {
    sourceId: number;
    targetId: number;
    partitioner: StreamInput['partitioner'];
    sideOutputTag: string | undefined;
    typeNumber: 1 | 2;
  }[] = [];

  /**
   * Reads a FLIP-27 source. With a WatermarkStrategy, records get event timestamps and
   * watermarks are generated per source subtask.
   */
  fromSource<T>(source: Source<T, SourceSplit>, watermarkStrategy: WatermarkStrategyContract<T> | undefined, sourceName: string): DataStream<T> {
    const id = this.addOperator(sourceName, { kind: 'source', source, watermarkStrategy }, []);
    return new DataStream<T>(this.env(), [{ nodeId: id, partitioner: undefined, sideOutputTag: undefined }]);
  }

  /** A bounded stream of the given items, read by one subtask (as Flink's fromCollection). */
  fromCollection<T>(items: readonly T[]): DataStream<T> {
    const stream = this.fromSource(new CollectionSource<T>(items), undefined, 'Collection Source');
    stream.setParallelism(1);
    return stream;
  }

  /** A bounded stream of the arguments, read by one subtask. */
  fromElements<T>(...items: T[]): DataStream<T> {
    return this.fromCollection(items);
  }

  private env(): StreamExecutionEnvironment {
    return this;
  }

  /**
   * Resolves defaults into the StreamGraph (parallelism, partitioners) and returns it.
   * @throws RivuletError(INVALID_GRAPH) for an empty job.
   */
  getStreamGraph(jobName = 'Rivulet Job'): StreamGraph {
    if (this.graph.nodes.size === 0) {
      throw new RivuletError('INVALID_GRAPH', 'No operators defined in the job: add a source and a sink before calling execute().');
    }
    for (const n of this.graph.nodes.values()) {
      // Resolve from what was configured, not from an earlier resolution, so that a later
      // env.setParallelism() still applies to operators that set none.
      let c = this.configured.get(n.id);
      if (c === undefined) {
        c = { parallelism: n.parallelism, maxParallelism: n.maxParallelism };
        this.configured.set(n.id, c);
      }
      n.parallelism = c.parallelism === -1 ? this.parallelism : c.parallelism;
      n.maxParallelism = c.maxParallelism === -1 ? Math.max(this.maxParallelism, n.parallelism) : c.maxParallelism;
    }
    this.graph.edges.length = 0;
    for (const e of this.pendingEdges) {
      const s = this.graph.node(e.sourceId);
      const t = this.graph.node(e.targetId);
      const partitioner = e.partitioner ?? (s.parallelism === t.parallelism ? { kind: 'forward' as const } : { kind: 'rebalance' as const });
      this.graph.edges.push({ sourceId: e.sourceId, targetId: e.targetId, partitioner, sideOutputTag: e.sideOutputTag, typeNumber: e.typeNumber });
    }
    this.graph.config = {
      jobName,
      maxParallelism: this.maxParallelism,
      autoWatermarkInterval: this.config.getAutoWatermarkInterval(),
      bufferTimeout: this.bufferTimeout,
      checkpointing: this.checkpointConfig.toOptions(),
      savepointRestore: getEnvironmentDefaults().savepointRestore,
      stateBackend: this.stateBackend === undefined ? undefined : stateBackendConfig(this.stateBackend),
      restartStrategy: this.restartStrategy,
    };
    return this.graph;
  }

  /** @internal the JobGraph (chained tasks) of the program so far. */
  getJobGraph(jobName?: string): JobGraph {
    return createJobGraph(this.getStreamGraph(jobName));
  }

  /** The plan as JSON, in the spirit of Flink's: operators, parallelism, uids, chains, ship strategies. */
  getExecutionPlan(): string {
    const sg = this.getStreamGraph(this.graph.config.jobName);
    return JSON.stringify(executionPlan(sg, createJobGraph(sg)), null, 2);
  }

  /**
   * Runs the job. For a bounded job the promise resolves when all sources are exhausted and
   * all records processed, with the run time and the counters.
   * @throws RivuletError naming the failed operator (uid, subtask) and cause.
   */
  async execute(jobName = 'Rivulet Job'): Promise<JobExecutionResult> {
    const sg = this.getStreamGraph(jobName);
    const jg = createJobGraph(sg);
    const defaults = getEnvironmentDefaults();
    if (defaults.planOnly === true) throw new PlanCaptured(JSON.stringify(executionPlan(sg, jg), null, 2));
    const executor = getPipelineExecutor();
    if (executor === undefined) {
      throw new RivuletError('INTERNAL', 'No executor registered: import Rivulet through its package entry ("rivulet").');
    }
    return executor.execute(sg, jg, [...(defaults.listeners ?? []), ...this.listeners]);
  }
}
