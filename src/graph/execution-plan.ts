/**
 * The execution plan as JSON, in the spirit of Flink's `getExecutionPlan()`: one entry per
 * operator with its type, parallelism, uid, the chain (task) it runs in, and its
 * predecessors with the ship strategy of each edge and the input it feeds ('first', or
 * 'second' for the second input of a two-input operator).
 */
import type { JobGraph } from './job-graph.ts';
import { partitionerName } from './partitioner.ts';
import type { StreamGraph } from './stream-graph.ts';

export interface PlanNode {
  id: number;
  type: string;
  pact: 'Data Source' | 'Operator' | 'Data Sink';
  contents: string;
  uid: string;
  parallelism: number;
  maxParallelism: number;
  /** The JobVertex (task) this operator is chained into. */
  chain: number;
  predecessors: { id: number; ship_strategy: string; side: 'first' | 'second'; side_output?: string }[];
}

export interface ExecutionPlan {
  jobName: string;
  nodes: PlanNode[];
}

export function executionPlan(graph: StreamGraph, jobGraph: JobGraph): ExecutionPlan {
  const nodes: PlanNode[] = [];
  for (const id of graph.topologicalOrder()) {
    const n = graph.node(id);
    const kind = n.operator.kind;
    const pact = kind === 'source' ? 'Data Source' : kind === 'sink' ? 'Data Sink' : 'Operator';
    const contents = kind === 'source' ? String(n.operator.source) : kind === 'sink' ? String(n.operator.sink) : n.name;
    nodes.push({
      id,
      type: kind === 'source' ? `Source: ${n.name}` : kind === 'sink' ? `Sink: ${n.name}` : n.name,
      pact,
      contents,
      uid: n.uid!,
      parallelism: n.parallelism,
      maxParallelism: n.maxParallelism,
      chain: jobGraph.vertexOfNode.get(id)!.id,
      predecessors: graph.inEdges(id).map((e) => ({
        id: e.sourceId,
        ship_strategy: partitionerName(e.partitioner),
        side: e.typeNumber === 2 ? ('second' as const) : ('first' as const),
        ...(e.sideOutputTag !== undefined ? { side_output: e.sideOutputTag } : {}),
      })),
    });
  }
  return { jobName: graph.config.jobName, nodes };
}
