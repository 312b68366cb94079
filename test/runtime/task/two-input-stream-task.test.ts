/**
 * TwoInputStreamTask driven through its channels: records go to processElement1/2 by the
 * channel's input, the head sees the minimum watermark over all channels of both inputs
 * (a valve per input, then the minimum of the two), each input's end is reported once with
 * endInput(i), and the task finishes after both.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CoProcessFunction, StreamExecutionEnvironment, SystemClock } from '../../../src/index.ts';
import type { Collector } from '../../../src/index.ts';
import { CollectSink } from '../../../src/api/collect-sink.ts';
import type { RivuletError } from '../../../src/core/errors.ts';
import type { ChannelEvent } from '../../../src/runtime/network/channel-event.ts';
import { END_OF_PARTITION } from '../../../src/runtime/network/channel-event.ts';
import { LocalChannel } from '../../../src/runtime/network/channel.ts';
import { InputGate } from '../../../src/runtime/network/input-gate.ts';
import type { TwoInputStreamOperator } from '../../../src/runtime/operators/two-input-stream-operator.ts';
import { TaskScheduler } from '../../../src/runtime/task/task-scheduler.ts';
import { TwoInputStreamTask } from '../../../src/runtime/task/two-input-stream-task.ts';

interface Seen {
  readonly input: 1 | 2;
  readonly value: string;
  readonly watermark: number;
}

/** Emits each record with its input and the watermark the operator had when it came. */
class Probe extends CoProcessFunction<string, string, Seen> {
  processElement1(value: string, ctx: CoProcessFunction.Context, out: Collector<Seen>): void {
    out.collect({ input: 1, value, watermark: ctx.timerService().currentWatermark() });
  }
  processElement2(value: string, ctx: CoProcessFunction.Context, out: Collector<Seen>): void {
    out.collect({ input: 2, value, watermark: ctx.timerService().currentWatermark() });
  }
}

/** Lets the task scheduler run until nothing is queued. */
function records(...values: string[]): ChannelEvent {
  return { kind: 'records', values, timestamps: values.map(() => 0) };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

interface Rig {
  readonly task: TwoInputStreamTask;
  readonly channels: readonly LocalChannel[];
  readonly sink: CollectSink<Seen>;
  /** What the head operator was called with, in order. */
  readonly calls: string[];
  readonly state: { finished: boolean; failure: RivuletError | undefined };
  send(channel: number, e: ChannelEvent): Promise<void>;
}

/** A started task with a Probe head and a chained sink; `inputOfChannel` maps its channels to inputs. */
async function rig(inputOfChannel: readonly (1 | 2)[]): Promise<Rig> {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  const sink = new CollectSink<Seen>();
  env.fromElements('unused').connect(env.fromElements('unused')).process(new Probe()).uid('co').sinkTo(sink);
  const vertex = env.getJobGraph().vertices.find((v) => v.nodes[0]!.uid === 'co')!;
  assert.equal(vertex.nodes.length, 2, 'the sink is chained to the two-input operator');
  const channels = inputOfChannel.map((_, i) => new LocalChannel(i));
  const state: Rig['state'] = { finished: false, failure: undefined };
  const task = new TwoInputStreamTask({
    vertex,
    subtaskIndex: 0,
    writers: new Map(),
    scheduler: new TaskScheduler(),
    events: {
      requestSplit: () => {},
      taskFinished: () => void (state.finished = true),
      taskFailed: (_v, _s, e) => void (state.failure = e),
    },
    clock: SystemClock,
    autoWatermarkInterval: 0,
    bufferTimeout: 100,
    gate: new InputGate(channels),
    inputOfChannel,
  });
  const head = task.operatorMetrics()[0]!.operator as TwoInputStreamOperator;
  const calls: string[] = [];
  const processWatermark = head.processWatermark.bind(head);
  head.processWatermark = (wm: number) => {
    calls.push(`wm ${wm}`);
    processWatermark(wm);
  };
  const processWatermarkStatus = head.processWatermarkStatus.bind(head);
  head.processWatermarkStatus = (status) => {
    calls.push(`status ${status}`);
    processWatermarkStatus(status);
  };
  const endInput = head.endInput.bind(head);
  head.endInput = (i: 1 | 2) => {
    calls.push(`endInput ${i}`);
    endInput(i);
  };
  const finish = head.finish.bind(head);
  head.finish = () => {
    calls.push('finish');
    return finish();
  };
  await task.start(0);
  return {
    task,
    channels,
    sink,
    calls,
    state,
    send: async (c, e) => {
      channels[c]!.send(e);
      await settle();
    },
  };
}

void describe('TwoInputStreamTask', () => {
  void it('dispatches by input, combines watermarks over both inputs, ends inputs one by one, then finishes', async () => {
    // Channels 0 and 2 belong to input 1, channel 1 to input 2.
    const { task, sink, calls, state, send } = await rig([1, 2, 1]);

    await send(0, { kind: 'watermark', timestamp: 10 });
    await send(1, { kind: 'watermark', timestamp: 5 });
    assert.deepEqual(calls, [], 'channel 2 of input 1 has no watermark yet');
    await send(2, { kind: 'watermark', timestamp: 20 });
    assert.deepEqual(calls, ['wm 5'], 'input 1 is at min(10, 20) = 10, input 2 at 5');
    await send(1, { kind: 'watermark', timestamp: 30 });
    await send(1, records('b1'));
    await send(0, records('a1', 'a2'));
    await send(0, END_OF_PARTITION);
    await send(2, records('a3'));
    await send(2, END_OF_PARTITION);
    await send(1, records('b2'));
    assert.ok(!state.finished);
    await send(1, END_OF_PARTITION);

    assert.equal(state.failure, undefined);
    assert.ok(state.finished, 'the task finished after both inputs ended');
    assert.deepEqual(calls, ['wm 5', 'wm 10', 'wm 20', 'wm 30', 'endInput 1', 'wm Infinity', 'endInput 2', 'finish']);
    assert.deepEqual(sink.results(), [
      { input: 2, value: 'b1', watermark: 10 },
      { input: 1, value: 'a1', watermark: 10 },
      { input: 1, value: 'a2', watermark: 10 },
      { input: 1, value: 'a3', watermark: 20 },
      { input: 2, value: 'b2', watermark: 30 },
    ]);
    assert.equal(task.operatorMetrics()[0]!.metrics.recordsIn, 5);
  });

  void it('an idle input holds back nothing; both idle makes the operator idle; one active again makes it active', async () => {
    const { calls, send, state } = await rig([1, 2]);
    await send(0, { kind: 'watermark', timestamp: 40 });
    await send(1, { kind: 'watermark', timestamp: 10 });
    assert.deepEqual(calls, ['wm 10']);
    await send(1, { kind: 'watermarkStatus', status: 'IDLE' });
    assert.deepEqual(calls, ['wm 10', 'wm 40'], 'input 2 idle: the minimum is input 1 alone');
    await send(0, { kind: 'watermark', timestamp: 50 });
    await send(0, { kind: 'watermarkStatus', status: 'IDLE' });
    await send(0, { kind: 'watermarkStatus', status: 'ACTIVE' });
    assert.deepEqual(calls, ['wm 10', 'wm 40', 'wm 50', 'status IDLE', 'status ACTIVE']);
    await send(1, { kind: 'watermarkStatus', status: 'ACTIVE' });
    await send(1, { kind: 'watermark', timestamp: 60 });
    await send(0, { kind: 'watermark', timestamp: 70 });
    assert.deepEqual(calls.slice(5), ['wm 60']);
    assert.equal(state.failure, undefined);
  });
});
