/**
 * The StreamGraph: one node per operator the user wrote, edges with partitioners; as
 * Flink's StreamGraph. Built by the api, deterministic for a given program (each worker
 * rebuilds it from the job module and must arrive at the same graph).
 */
import type { RestartStrategyConfig } from '../core/restart-strategy.ts';
import type { CheckpointingOptions, SavepointRestoreSettings } from '../core/checkpoint.ts';
import { RivuletError } from '../core/errors.ts';
import type { StateBackendConfig } from '../core/state-backend.ts';
import type { OperatorSpec } from './operator-spec.ts';
import type { PartitionerSpec } from './partitioner.ts';

export interface StreamNode {
  readonly id: number;
  name: string;
  /** Stable identity across runs; explicit via `.uid()`, else derived (see assignUids). */
  uid: string | undefined;
  readonly explicitUid: boolean;
  /** -1 until resolved from the environment's default at build time. */
  parallelism: number;
  maxParallelism: number;
  readonly operator: OperatorSpec;
  /** Breaks the chain before this node (startNewChain / disableChaining). */
  chainingHead: boolean;
  chainingDisabled: boolean;
}

export interface StreamEdge {
  readonly sourceId: number;
  readonly targetId: number;
  readonly partitioner: PartitionerSpec;
  /** Set when the edge carries a side output of the source node. */
  readonly sideOutputTag: string | undefined;
  /**
   * Which input of the target the edge feeds: 1, or 2 for the second input of a two-input
   * operator (connect, broadcast state, interval join); as Flink's StreamEdge typeNumber.
   */
  readonly typeNumber: 1 | 2;
}

export interface StreamGraphConfig {
  readonly jobName: string;
  readonly maxParallelism: number;
  /** Auto-watermark interval (ms of processing time); 0 disables periodic watermarks. */
  readonly autoWatermarkInterval: number;
  /** Longest a partly filled batch waits before it is sent (ms); 0 = send per record. */
  readonly bufferTimeout: number;
  /** Undefined: the job does not checkpoint. */
  readonly checkpointing?: CheckpointingOptions | undefined;
  /** Start from this checkpoint or savepoint (set by whoever submits the job, not by the program). */
  readonly savepointRestore?: SavepointRestoreSettings | undefined;
  /** Where keyed state lives; undefined: the default (HashMapStateBackend). */
  readonly stateBackend?: StateBackendConfig | undefined;
  /** What to do when a task fails; undefined: the default (see effectiveRestartStrategy). */
  readonly restartStrategy?: RestartStrategyConfig | undefined;
}

export class StreamGraph {
  readonly nodes = new Map<number, StreamNode>();
  readonly edges: StreamEdge[] = [];

  config: StreamGraphConfig;
  constructor(config: StreamGraphConfig) {
    this.config = config;
  }

  inEdges(nodeId: number): StreamEdge[] {
    return this.edges.filter((e) => e.targetId === nodeId);
  }

  outEdges(nodeId: number): StreamEdge[] {
    return this.edges.filter((e) => e.sourceId === nodeId);
  }

  node(id: number): StreamNode {
    const n = this.nodes.get(id);
    if (n === undefined) throw new RivuletError('INTERNAL', `StreamGraph has no node ${id}`);
    return n;
  }

  /** Node ids in topological order (sources first); ties broken by id so the order is deterministic. */
  topologicalOrder(): number[] {
    const indegree = new Map<number, number>();
    for (const id of this.nodes.keys()) indegree.set(id, 0);
    for (const e of this.edges) indegree.set(e.targetId, (indegree.get(e.targetId) ?? 0) + 1);
    const ready = [...this.nodes.keys()].filter((id) => indegree.get(id) === 0).sort((a, b) => a - b);
    const order: number[] = [];
    while (ready.length > 0) {
      const id = ready.shift()!;
      order.push(id);
      for (const e of this.outEdges(id)) {
        const d = (indegree.get(e.targetId) ?? 0) - 1;
        indegree.set(e.targetId, d);
        if (d === 0) {
          ready.push(e.targetId);
          ready.sort((a, b) => a - b);
        }
      }
    }
    if (order.length !== this.nodes.size) throw new RivuletError('INVALID_GRAPH', 'The job graph has a cycle; iterations are not supported.');
    return order;
  }
}
