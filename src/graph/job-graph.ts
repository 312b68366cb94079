/**
 * StreamGraph -> JobGraph: assigns stable uids, validates, and chains operators into
 * JobVertices; as Flink's StreamingJobGraphGenerator.
 *
 * Chaining rule (Flink's): a node joins its upstream node's vertex when it has exactly one
 * input, the edge is FORWARD, both have the same parallelism and max parallelism, and
 * neither side asked for a chain break. A chain may fork (one operator feeding two chained
 * ones); it never joins, so a two-input operator always heads its own task. Chained operators call each other directly in one task; every
 * other edge becomes a JobEdge whose records travel in batches through channels.
 */
import { RivuletError } from '../core/errors.ts';
import { partitionerName } from './partitioner.ts';
import type { StreamEdge, StreamGraph, StreamNode, StreamGraphConfig } from './stream-graph.ts';
import { isTwoInputOperator } from './two-input-operator-spec.ts';

export interface JobVertex {
  readonly id: number;
  readonly name: string;
  readonly parallelism: number;
  readonly maxParallelism: number;
  /** The chained operators in topological order; the first is the chain head. */
  readonly nodes: readonly StreamNode[];
  /** Edges between operators of this vertex (always FORWARD). */
  readonly chainedEdges: readonly StreamEdge[];
  readonly inputs: JobEdge[];
  readonly outputs: JobEdge[];
}

export interface JobEdge {
  readonly id: number;
  readonly source: JobVertex;
  readonly target: JobVertex;
  readonly streamEdge: StreamEdge;
}

export interface JobGraph {
  readonly config: StreamGraphConfig;
  /** In topological order, sources first. */
  readonly vertices: readonly JobVertex[];
  readonly edges: readonly JobEdge[];
  /** The vertex each stream node was chained into. */
  readonly vertexOfNode: ReadonlyMap<number, JobVertex>;
  /** A digest of the graph's shape; every worker checks it matches the coordinator's. */
  readonly fingerprint: string;
}

/** FNV-1a, 32 bit, as 8 hex digits: short, stable derived ids. */
export function fnv1aHex(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

function slug(name: string): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return s.length > 0 ? s.slice(0, 40) : 'operator';
}

/**
 * Gives every node without an explicit uid one derived from its name and its inputs' uids
 * (so adding an unrelated branch does not change it), and checks uids are unique.
 * @throws RivuletError(INVALID_GRAPH) on duplicate uids.
 */
export function assignUids(graph: StreamGraph): void {
  const seen = new Map<string, number>();
  for (const id of graph.topologicalOrder()) {
    const node = graph.node(id);
    if (!node.explicitUid) {
      const inputs = graph
        .inEdges(id)
        .map((e) => `${graph.node(e.sourceId).uid}${e.sideOutputTag !== undefined ? `#${e.sideOutputTag}` : ''}${e.typeNumber === 2 ? '@2' : ''}`)
        .join(',');
      const base = `${slug(node.name)}-${fnv1aHex(`${node.name}|${node.operator.kind}|${inputs}`)}`;
      let uid = base;
      for (let n = 2; seen.has(uid); n++) uid = `${base}-${n}`;
      node.uid = uid;
    } else if (seen.has(node.uid!)) {
      const other = graph.node(seen.get(node.uid!)!);
      throw new RivuletError(
        'INVALID_GRAPH',
        `Operators "${other.name}" and "${node.name}" both have uid "${node.uid}". Uids must be unique in a job: state is restored by uid.`,
        { operatorUid: node.uid!, operatorName: node.name },
      );
    }
    seen.set(node.uid!, id);
  }
}

function validate(graph: StreamGraph): void {
  for (const e of graph.edges) {
    const s = graph.node(e.sourceId);
    const t = graph.node(e.targetId);
    if (e.partitioner.kind === 'forward' && s.parallelism !== t.parallelism) {
      throw new RivuletError(
        'INVALID_GRAPH',
        `Forward partitioning does not allow a change of parallelism: "${s.name}" has ${s.parallelism}, "${t.name}" has ${t.parallelism}. Use rebalance() or rescale(), or give both the same parallelism.`,
        { operatorUid: t.uid!, operatorName: t.name },
      );
    }
    if (t.parallelism > t.maxParallelism) {
      throw new RivuletError('INVALID_GRAPH', `Operator "${t.name}" has parallelism ${t.parallelism} above its max parallelism ${t.maxParallelism}.`, {
        operatorUid: t.uid!,
        operatorName: t.name,
      });
    }
  }
  for (const n of graph.nodes.values()) {
    const inEdges = graph.inEdges(n.id);
    if (n.operator.kind !== 'source' && inEdges.length === 0) {
      throw new RivuletError('INTERNAL', `Operator "${n.name}" has no input`);
    }
    const second = inEdges.filter((e) => e.typeNumber === 2).length;
    if (isTwoInputOperator(n.operator) ? second === 0 || second === inEdges.length : second > 0) {
      throw new RivuletError('INTERNAL', `Operator "${n.name}" (${n.operator.kind}) has ${inEdges.length - second} first-input and ${second} second-input edges`);
    }
  }
}

function isChainable(graph: StreamGraph, edge: StreamEdge): boolean {
  const up = graph.node(edge.sourceId);
  const down = graph.node(edge.targetId);
  return (
    edge.partitioner.kind === 'forward' &&
    graph.inEdges(down.id).length === 1 &&
    up.parallelism === down.parallelism &&
    up.maxParallelism === down.maxParallelism &&
    !down.chainingHead &&
    !down.chainingDisabled &&
    !up.chainingDisabled &&
    down.operator.kind !== 'source' &&
    !isTwoInputOperator(down.operator)
  );
}

/**
 * @throws RivuletError(INVALID_GRAPH) for duplicate uids, forward edges across a parallelism
 *   change, or parallelism above max parallelism.
 */
export function createJobGraph(graph: StreamGraph): JobGraph {
  assignUids(graph);
  validate(graph);
  const vertexOfNode = new Map<number, JobVertex>();
  const vertices: JobVertex[] = [];
  const mutableNodes = new Map<JobVertex, StreamNode[]>();
  const mutableChained = new Map<JobVertex, StreamEdge[]>();
  for (const id of graph.topologicalOrder()) {
    const node = graph.node(id);
    const inEdges = graph.inEdges(id);
    const chainEdge = inEdges.length === 1 && isChainable(graph, inEdges[0]!) ? inEdges[0]! : undefined;
    if (chainEdge !== undefined) {
      const v = vertexOfNode.get(chainEdge.sourceId)!;
      mutableNodes.get(v)!.push(node);
      mutableChained.get(v)!.push(chainEdge);
      vertexOfNode.set(id, v);
      continue;
    }
    const nodes: StreamNode[] = [node];
    const chained: StreamEdge[] = [];
    const v: JobVertex = {
      id: vertices.length + 1,
      get name() {
        return nodes.map((n) => (n.operator.kind === 'source' ? `Source: ${n.name}` : n.operator.kind === 'sink' ? `Sink: ${n.name}` : n.name)).join(' -> ');
      },
      parallelism: node.parallelism,
      maxParallelism: node.maxParallelism,
      nodes,
      chainedEdges: chained,
      inputs: [],
      outputs: [],
    };
    mutableNodes.set(v, nodes);
    mutableChained.set(v, chained);
    vertices.push(v);
    vertexOfNode.set(id, v);
  }
  const edges: JobEdge[] = [];
  for (const e of graph.edges) {
    const s = vertexOfNode.get(e.sourceId)!;
    const t = vertexOfNode.get(e.targetId)!;
    if (s === t) continue;
    const je: JobEdge = { id: edges.length, source: s, target: t, streamEdge: e };
    edges.push(je);
    s.outputs.push(je);
    t.inputs.push(je);
  }
  const shape = vertices
    .map((v) => `${v.id}:${v.parallelism}:${v.nodes.map((n) => `${n.uid}/${n.operator.kind}`).join('>')}`)
    .concat(edges.map((e) => `${e.source.id}->${e.target.id}:${partitionerName(e.streamEdge.partitioner)}:${e.streamEdge.sideOutputTag ?? ''}:${e.streamEdge.typeNumber}`))
    .join(';');
  return { config: graph.config, vertices, edges, vertexOfNode, fingerprint: fnv1aHex(shape) };
}
