/**
 * JobGraph -> ExecutionGraph: the parallel view. Each JobVertex becomes `parallelism`
 * subtasks, each JobEdge a set of channels between them, and each subtask is placed in a
 * slot; as Flink's ExecutionGraph with slot sharing (subtask i of every vertex shares slot
 * i), so a job needs as many slots as its largest parallelism.
 *
 * Channel wiring: FORWARD is one-to-one, RESCALE is pointwise (Flink's POINTWISE
 * distribution), every other partitioner is all-to-all, with the channel list of a writer
 * ordered by target subtask so a partitioner's choice is the index in that list.
 */
import type { JobEdge, JobGraph, JobVertex } from './job-graph.ts';

export interface ChannelSpec {
  /** Unique in the job; routes data and credit messages between threads. */
  readonly id: number;
  readonly edge: JobEdge;
  readonly sourceSubtask: number;
  readonly targetSubtask: number;
}

export interface SubtaskId {
  readonly vertexId: number;
  readonly subtask: number;
}

export interface ExecutionGraph {
  readonly jobGraph: JobGraph;
  readonly numSlots: number;
  readonly channels: readonly ChannelSpec[];
  /** Output channels of (vertex, subtask) per output JobEdge id, ordered by target subtask. */
  outputChannels(vertexId: number, subtask: number, edgeId: number): readonly ChannelSpec[];
  /** All input channels of (vertex, subtask), ordered by edge then source subtask. */
  inputChannels(vertexId: number, subtask: number): readonly ChannelSpec[];
  slotOf(vertexId: number, subtask: number): number;
  /** The subtasks placed in a slot. */
  subtasksInSlot(slot: number): readonly SubtaskId[];
  vertex(id: number): JobVertex;
}

function pointwiseTargets(sourceP: number, targetP: number, s: number): number[] {
  if (sourceP === targetP) return [s];
  if (sourceP < targetP) {
    // Each source feeds a contiguous range of targets.
    const start = Math.floor((s * targetP) / sourceP);
    const end = Math.floor(((s + 1) * targetP) / sourceP);
    return Array.from({ length: end - start }, (_, i) => start + i);
  }
  // Several sources feed each target.
  for (let t = 0; t < targetP; t++) {
    const start = Math.floor((t * sourceP) / targetP);
    const end = Math.floor(((t + 1) * sourceP) / targetP);
    if (s >= start && s < end) return [t];
  }
  return [];
}

export function createExecutionGraph(jobGraph: JobGraph): ExecutionGraph {
  const numSlots = Math.max(...jobGraph.vertices.map((v) => v.parallelism));
  const channels: ChannelSpec[] = [];
  const outputs = new Map<string, ChannelSpec[]>();
  const inputs = new Map<string, ChannelSpec[]>();
  const push = (m: Map<string, ChannelSpec[]>, k: string, c: ChannelSpec): void => {
    const l = m.get(k);
    if (l === undefined) m.set(k, [c]);
    else l.push(c);
  };
  for (const edge of jobGraph.edges) {
    const sp = edge.source.parallelism;
    const tp = edge.target.parallelism;
    const kind = edge.streamEdge.partitioner.kind;
    for (let s = 0; s < sp; s++) {
      const targets = kind === 'forward' || kind === 'rescale' ? pointwiseTargets(sp, tp, s) : Array.from({ length: tp }, (_, i) => i);
      for (const t of targets) {
        const c: ChannelSpec = { id: channels.length, edge, sourceSubtask: s, targetSubtask: t };
        channels.push(c);
        push(outputs, `${edge.source.id}/${s}/${edge.id}`, c);
        push(inputs, `${edge.target.id}/${t}`, c);
      }
    }
  }
  const byId = new Map(jobGraph.vertices.map((v) => [v.id, v]));
  const slots: SubtaskId[][] = Array.from({ length: numSlots }, () => []);
  for (const v of jobGraph.vertices) for (let i = 0; i < v.parallelism; i++) slots[i % numSlots]!.push({ vertexId: v.id, subtask: i });
  return {
    jobGraph,
    numSlots,
    channels,
    outputChannels: (vertexId, subtask, edgeId) => outputs.get(`${vertexId}/${subtask}/${edgeId}`) ?? [],
    inputChannels: (vertexId, subtask) => inputs.get(`${vertexId}/${subtask}`) ?? [],
    slotOf: (_vertexId, subtask) => subtask % numSlots,
    subtasksInSlot: (slot) => slots[slot] ?? [],
    vertex: (id) => byId.get(id)!,
  };
}
