/**
 * Checkpoint barriers in tasks, driven through their channels: with EXACTLY_ONCE a channel
 * that delivered barrier n is blocked — its later records wait in its queue — until every
 * channel has, then the task snapshots and sends barrier n downstream before any later
 * record; with AT_LEAST_ONCE nothing waits. Aborted and superseded alignments release
 * their channels; a task whose input ended keeps taking part until the final checkpoint.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CoProcessFunction, StreamExecutionEnvironment, SystemClock } from '../../../src/index.ts';
import type { CheckpointingMode, Collector } from '../../../src/index.ts';
import { CollectSink } from '../../../src/api/collect-sink.ts';
import type { RivuletError } from '../../../src/core/errors.ts';
import type { JobVertex } from '../../../src/graph/job-graph.ts';
import type { TaskStateHandles } from '../../../src/runtime/checkpoint/operator-snapshot.ts';
import type { ChannelEvent } from '../../../src/runtime/network/channel-event.ts';
import { END_OF_PARTITION } from '../../../src/runtime/network/channel-event.ts';
import { LocalChannel } from '../../../src/runtime/network/channel.ts';
import { InputGate } from '../../../src/runtime/network/input-gate.ts';
import { RecordWriter } from '../../../src/runtime/network/record-writer.ts';
import type { StreamOperator } from '../../../src/runtime/operators/stream-operator.ts';
import type { TwoInputStreamOperator } from '../../../src/runtime/operators/two-input-stream-operator.ts';
import { OneInputStreamTask } from '../../../src/runtime/task/one-input-stream-task.ts';
import type { StreamTask } from '../../../src/runtime/task/stream-task.ts';
import { TaskScheduler } from '../../../src/runtime/task/task-scheduler.ts';
import { TwoInputStreamTask } from '../../../src/runtime/task/two-input-stream-task.ts';
import { FaultyStorage } from './faulty-storage.ts';

const dir = mkdtempSync(join(tmpdir(), 'rivulet-barriers-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function records(...values: string[]): ChannelEvent {
  return { kind: 'records', values, timestamps: values.map(() => 0) };
}
function barrier(checkpointId: number): ChannelEvent {
  return { kind: 'barrier', checkpointId, timestamp: 1000 + checkpointId };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

interface Rig {
  /** What the head operator did, in order: `rec <value>` and `snapshot <n>`. */
  readonly log: string[];
  /** What the task sent downstream, in order: `rec <value>`, `barrier <n>`, `end`. */
  readonly out: () => string[];
  readonly acks: number[];
  readonly declines: string[];
  readonly endOfInput: boolean[];
  readonly state: { finished: boolean; failure: RivuletError | undefined };
  readonly task: StreamTask;
  send(channel: number, ...events: ChannelEvent[]): Promise<void>;
}

/** Wraps the head operator so the rig logs its records and snapshots. */
function instrument(head: StreamOperator, log: string[], methods: readonly ('processElement' | 'processElement1' | 'processElement2')[]): void {
  for (const m of methods) {
    const h = head as unknown as Record<string, (v: unknown, ts: number) => void>;
    const original = h[m]!.bind(head);
    h[m] = (v: unknown, ts: number) => {
      log.push(`rec ${String(v)}`);
      original(v, ts);
    };
  }
  const snapshotState = head.snapshotState.bind(head);
  head.snapshotState = (id, ts) => {
    log.push(`snapshot ${id}`);
    return snapshotState(id, ts);
  };
}

function outputOf(vertex: JobVertex): { writers: Map<number, RecordWriter>; out: () => string[] } {
  const channel = new LocalChannel(99, 1000);
  const seen: string[] = [];
  const edge = vertex.outputs[0]!;
  const writer = new RecordWriter({ channels: [channel], partitioner: edge.streamEdge.partitioner, maxParallelism: 128, batchSize: 1, subtaskIndex: 0, onCredit: () => {} });
  return {
    writers: new Map([[edge.id, writer]]),
    out: () => {
      for (let e = channel.poll(); e !== undefined; e = channel.poll()) {
        if (e.kind === 'records') seen.push(...e.values.map((v) => `rec ${String(v)}`));
        else if (e.kind === 'barrier') seen.push(`barrier ${e.checkpointId}`);
        else if (e.kind === 'end') seen.push('end');
      }
      return seen;
    },
  };
}

function common(rig: Pick<Rig, 'acks' | 'declines' | 'endOfInput' | 'state'>, mode: CheckpointingMode, name: string) {
  return {
    subtaskIndex: 0,
    scheduler: new TaskScheduler(),
    events: {
      requestSplit: () => {},
      taskFinished: () => void (rig.state.finished = true),
      taskFailed: (_v: number, _s: number, e: RivuletError) => void (rig.state.failure = e),
    },
    clock: SystemClock,
    autoWatermarkInterval: 0,
    bufferTimeout: 100,
    checkpointing: {
      mode,
      storage: new FaultyStorage(join(dir, name)),
      responder: {
        acknowledgeCheckpoint: (_v: number, _s: number, id: number, _state: TaskStateHandles) => void rig.acks.push(id),
        declineCheckpoint: (_v: number, _s: number, id: number, reason: string) => void rig.declines.push(`${id} ${reason}`),
        reportEndOfInput: () => void rig.endOfInput.push(true),
      },
    },
  };
}

/** A started one-input task (a map, uid `probe`, in its own chain) reading two channels. */
async function oneInputRig(mode: CheckpointingMode, name: string): Promise<Rig> {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env
    .fromElements('unused')
    .rebalance()
    .map((s: string) => s)
    .uid('probe')
    .disableChaining()
    .rebalance()
    .sinkTo(new CollectSink<string>());
  const vertex = env.getJobGraph().vertices.find((v) => v.nodes[0]!.uid === 'probe')!;
  const channels = [new LocalChannel(0, 1000), new LocalChannel(1, 1000)];
  const base = { log: [] as string[], acks: [] as number[], declines: [] as string[], endOfInput: [] as boolean[], state: { finished: false, failure: undefined } };
  const { writers, out } = outputOf(vertex);
  const task = new OneInputStreamTask({ ...common(base, mode, name), vertex, writers, gate: new InputGate(channels) });
  instrument(task.operatorMetrics()[0]!.operator, base.log, ['processElement']);
  await task.start(0);
  return {
    ...base,
    out,
    task,
    send: async (c, ...events) => {
      for (const e of events) channels[c]!.send(e);
      await settle();
    },
  };
}

void describe('barrier alignment in a one-input task (EXACTLY_ONCE)', () => {
  void it('holds back the records after a barrier until every channel delivered it, then snapshots, then forwards', async () => {
    const r = await oneInputRig('EXACTLY_ONCE', 'aligned');
    await r.send(0, records('a1'), barrier(1), records('a2'));
    await r.send(1, records('b1'));
    assert.deepEqual([...r.log].sort(), ['rec a1', 'rec b1'], 'a2 waits behind the barrier of channel 0');
    await r.send(1, barrier(1), records('b2'));
    assert.equal(r.log.indexOf('snapshot 1'), 2, r.log.join(', '));
    assert.deepEqual(r.log.slice(3).sort(), ['rec a2', 'rec b2']);
    const out = r.out();
    const b = out.indexOf('barrier 1');
    assert.deepEqual(out.slice(0, b).sort(), ['rec a1', 'rec b1']);
    assert.deepEqual(out.slice(b + 1).sort(), ['rec a2', 'rec b2']);
    await settle();
    assert.deepEqual(r.acks, [1]);
  });

  void it('an aborted checkpoint releases the blocked channels; its late barriers are ignored', async () => {
    const r = await oneInputRig('EXACTLY_ONCE', 'aborted');
    await r.send(0, barrier(1), records('a1'));
    assert.deepEqual(r.log, []);
    r.task.notifyCheckpointAborted(1);
    await settle();
    assert.deepEqual(r.log, ['rec a1']);
    await r.send(1, barrier(1), records('b1'));
    assert.deepEqual(r.log, ['rec a1', 'rec b1'], 'no snapshot of the aborted checkpoint');
    await r.send(0, barrier(2));
    await r.send(1, barrier(2));
    assert.deepEqual(r.log, ['rec a1', 'rec b1', 'snapshot 2']);
    assert.deepEqual(r.out().filter((e) => e.startsWith('barrier')), ['barrier 2']);
  });

  void it('a newer barrier supersedes an unfinished alignment', async () => {
    const r = await oneInputRig('EXACTLY_ONCE', 'superseded');
    await r.send(0, barrier(1), records('a1'));
    await r.send(1, barrier(2), records('b1'));
    // Checkpoint 1 cannot complete here any more: channel 0 is free again, channel 1 waits for 2.
    assert.deepEqual(r.log, ['rec a1']);
    await r.send(0, barrier(2));
    assert.deepEqual(r.log, ['rec a1', 'snapshot 2', 'rec b1']);
  });

  void it('after its end of input the task waits for the final checkpoint, forwarding barriers after its end', async () => {
    const r = await oneInputRig('EXACTLY_ONCE', 'final');
    await r.send(0, records('a1'), END_OF_PARTITION);
    await r.send(1, END_OF_PARTITION);
    assert.deepEqual(r.endOfInput, [true]);
    assert.equal(r.task.state, 'waitingForFinalCheckpoint');
    assert.equal(r.state.finished, false);
    await r.send(0, barrier(3));
    await r.send(1, barrier(3));
    await settle();
    assert.deepEqual(r.acks, [3]);
    assert.deepEqual(r.out(), ['rec a1', 'end', 'barrier 3']);
    r.task.notifyCheckpointComplete(3, false);
    await settle();
    assert.equal(r.state.finished, false, 'only the final checkpoint ends it');
    r.task.notifyCheckpointComplete(3, true);
    await settle();
    assert.equal(r.state.finished, true);
    assert.equal(r.task.state, 'finished');
  });
});

void describe('barriers in a one-input task (AT_LEAST_ONCE)', () => {
  void it('blocks nothing: records after an early barrier are processed before the snapshot', async () => {
    const r = await oneInputRig('AT_LEAST_ONCE', 'unaligned');
    await r.send(0, records('a1'), barrier(1), records('a2'));
    assert.deepEqual(r.log, ['rec a1', 'rec a2']);
    await r.send(1, records('b1'), barrier(1), records('b2'));
    assert.deepEqual(r.log, ['rec a1', 'rec a2', 'rec b1', 'snapshot 1', 'rec b2']);
    await settle();
    assert.deepEqual(r.acks, [1]);
  });
});

class Tag extends CoProcessFunction<string, string, string> {
  processElement1(value: string, _ctx: CoProcessFunction.Context, out: Collector<string>): void {
    out.collect(value);
  }
  processElement2(value: string, _ctx: CoProcessFunction.Context, out: Collector<string>): void {
    out.collect(value);
  }
}

void describe('barrier alignment in a two-input task', () => {
  void it('aligns over the channels of both inputs', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.fromElements('x').connect(env.fromElements('y')).process(new Tag()).uid('co').rebalance().sinkTo(new CollectSink<string>());
    const vertex = env.getJobGraph().vertices.find((v) => v.nodes[0]!.uid === 'co')!;
    // Channels 0 and 2 belong to input 1, channel 1 to input 2.
    const channels = [new LocalChannel(0, 1000), new LocalChannel(1, 1000), new LocalChannel(2, 1000)];
    const base = { log: [] as string[], acks: [] as number[], declines: [] as string[], endOfInput: [] as boolean[], state: { finished: false, failure: undefined } };
    const { writers, out } = outputOf(vertex);
    const task = new TwoInputStreamTask({ ...common(base, 'EXACTLY_ONCE', 'two-input'), vertex, writers, gate: new InputGate(channels), inputOfChannel: [1, 2, 1] });
    instrument(task.operatorMetrics()[0]!.operator as TwoInputStreamOperator, base.log, ['processElement1', 'processElement2']);
    await task.start(0);
    const send = async (c: number, ...events: ChannelEvent[]): Promise<void> => {
      for (const e of events) channels[c]!.send(e);
      await settle();
    };
    await send(1, barrier(1), records('in2-after'));
    await send(0, records('in1-before'), barrier(1), records('in1-after'));
    await send(2, records('in1b-before'));
    assert.deepEqual([...base.log].sort(), ['rec in1-before', 'rec in1b-before']);
    await send(2, barrier(1));
    assert.equal(base.log[2], 'snapshot 1');
    assert.deepEqual(base.log.slice(3).sort(), ['rec in1-after', 'rec in2-after']);
    const o = out();
    assert.deepEqual(o.slice(0, o.indexOf('barrier 1')).sort(), ['rec in1-before', 'rec in1b-before']);
    await settle();
    assert.deepEqual(base.acks, [1]);
  });
});
