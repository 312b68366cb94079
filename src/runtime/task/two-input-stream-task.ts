/**
 * A task whose chain head is a two-input operator (connect, broadcast state, interval
 * join); as Flink's TwoInputStreamTask / StreamTwoInputProcessor.
 *
 * Input: one InputGate over the channels of both inputs (read round-robin, so neither input
 * starves the other); each channel knows its input from its edge's typeNumber
 * (`inputOfChannel`). Records go to the head's `processElement1` or `processElement2`.
 *
 * Watermarks as Flink: each input has its own StatusWatermarkValve over its channels
 * (minimum over active channels, idleness), and a CombinedWatermarkStatus takes the minimum
 * over the inputs that are not idle; the head sees only that combined watermark, when it
 * advances, and a watermark status when both inputs turn idle or one turns active again.
 * Net effect: the task's watermark is the minimum over all channels of both inputs.
 *
 * End of input, per input: when the last channel of input i ends, the input stops holding
 * back the watermark and the head gets `endInput(i)`; when both have ended the task
 * finishes (StreamTask.endOfInput). Checkpoint barriers are aligned over the channels of
 * both inputs by one barrier handler, as in the one-input task.
 *
 * Data path: as OneInputStreamTask — one batch at a time, no allocation per record.
 */
import type { WatermarkStatus } from '../../core/watermark.ts';
import type { CheckpointBarrierHandler } from '../checkpoint/checkpoint-barrier-handler.ts';
import { CombinedWatermarkStatus } from '../network/combined-watermark-status.ts';
import type { InputGate } from '../network/input-gate.ts';
import { StatusWatermarkValve } from '../network/status-watermark-valve.ts';
import { TwoInputStreamOperator } from '../operators/two-input-stream-operator.ts';
import { RivuletError } from '../../core/errors.ts';
import type { InputResult, StreamTaskOptions } from './stream-task.ts';
import { StreamTask } from './stream-task.ts';

export interface TwoInputStreamTaskOptions extends StreamTaskOptions {
  readonly gate: InputGate;
  /** The input (1 or 2) each channel of the gate feeds, by channel index. */
  readonly inputOfChannel: readonly (1 | 2)[];
}

export class TwoInputStreamTask extends StreamTask {
  private readonly gate: InputGate;
  private readonly head: TwoInputStreamOperator;
  /** By gate channel index: its input (1 or 2), and its index among that input's channels. */
  private readonly inputOfChannel: Uint8Array;
  private readonly indexInInput: Uint32Array;
  /** Per input (index 0: input 1). */
  private readonly valves: readonly [StatusWatermarkValve, StatusWatermarkValve];
  private readonly openChannels: [number, number] = [0, 0];
  private readonly combined = new CombinedWatermarkStatus(2);
  private readonly barriers: CheckpointBarrierHandler | undefined;

  constructor(o: TwoInputStreamTaskOptions) {
    super(o);
    this.gate = o.gate;
    const head = this.chain.head.operator;
    if (!(head instanceof TwoInputStreamOperator)) {
      throw new RivuletError('INTERNAL', `TwoInputStreamTask ${this.name}: the chain head is not a two-input operator`);
    }
    this.head = head;
    const n = o.gate.channels.length;
    if (o.inputOfChannel.length !== n) throw new RivuletError('INTERNAL', `TwoInputStreamTask ${this.name}: ${n} channels but ${o.inputOfChannel.length} input indexes`);
    this.inputOfChannel = new Uint8Array(n);
    this.indexInInput = new Uint32Array(n);
    for (let c = 0; c < n; c++) {
      const input = o.inputOfChannel[c]!;
      this.inputOfChannel[c] = input;
      this.indexInInput[c] = this.openChannels[input - 1]!++;
    }
    if (this.openChannels[0] === 0 || this.openChannels[1] === 0) {
      throw new RivuletError('INTERNAL', `TwoInputStreamTask ${this.name}: an input without channels (${this.openChannels[0]} and ${this.openChannels[1]})`);
    }
    this.valves = [new StatusWatermarkValve(this.openChannels[0]), new StatusWatermarkValve(this.openChannels[1])];
    for (const ch of o.gate.channels) ch.onData = () => this.scheduler.schedule(this);
    this.barriers = this.createBarrierHandler(o.gate);
  }

  protected processInput(deadline: number): InputResult {
    const head = this.head;
    const metrics = this.chain.head.metrics;
    const gate = this.gate;
    for (;;) {
      if (!this.outputsAvailable()) return 'blocked';
      const event = gate.poll();
      if (event === undefined) return gate.isFinished() ? 'end' : 'idle';
      const c = gate.lastChannel;
      const input = this.inputOfChannel[c]! as 1 | 2;
      switch (event.kind) {
        case 'records': {
          // Credit back before processing, as in OneInputStreamTask.
          gate.channels[c]!.releaseBatch();
          const values = event.values;
          const timestamps = event.timestamps;
          const n = values.length;
          metrics.recordsIn += n;
          if (input === 1) for (let i = 0; i < n; i++) head.processElement1(values[i], timestamps[i]!);
          else for (let i = 0; i < n; i++) head.processElement2(values[i], timestamps[i]!);
          break;
        }
        case 'watermark': {
          const wm = this.valves[input - 1]!.inputWatermark(this.indexInInput[c]!, event.timestamp);
          if (wm !== undefined && this.combined.updateWatermark(input - 1, wm)) head.processWatermark(this.combined.getCombinedWatermark());
          break;
        }
        case 'watermarkStatus': {
          const valve = this.valves[input - 1]!;
          const before = valve.status();
          const wm = valve.inputWatermarkStatus(this.indexInInput[c]!, event.status);
          this.afterValve(input, wm, before);
          break;
        }
        case 'end': {
          gate.channelEnded(c);
          const valve = this.valves[input - 1]!;
          const before = valve.status();
          const wm = valve.channelEnded(this.indexInInput[c]!);
          this.afterValve(input, wm, before);
          if (--this.openChannels[input - 1]! === 0) {
            const wasIdle = this.combined.isIdle();
            if (this.combined.inputEnded(input - 1)) head.processWatermark(this.combined.getCombinedWatermark());
            if (wasIdle !== this.combined.isIdle()) head.processWatermarkStatus('ACTIVE');
            head.endInput(input);
          }
          if (gate.isFinished()) return 'end';
          break;
        }
        case 'barrier':
          this.barriers?.processBarrier(c, event.checkpointId, event.timestamp);
          break;
      }
      if (performance.now() >= deadline) return 'more';
    }
  }

  protected override abortAlignment(checkpointId: number): void {
    this.barriers?.abortCheckpoint(checkpointId);
  }

  /** Passes an input valve's new watermark and status change on to the combined watermark and the head. */
  private afterValve(input: 1 | 2, watermark: number | undefined, statusBefore: WatermarkStatus): void {
    const head = this.head;
    if (watermark !== undefined && this.combined.updateWatermark(input - 1, watermark)) head.processWatermark(this.combined.getCombinedWatermark());
    const status = this.valves[input - 1]!.status();
    if (status === statusBefore) return;
    const wasIdle = this.combined.isIdle();
    if (this.combined.updateStatus(input - 1, status === 'IDLE')) head.processWatermark(this.combined.getCombinedWatermark());
    if (wasIdle !== this.combined.isIdle()) head.processWatermarkStatus(this.combined.isIdle() ? 'IDLE' : 'ACTIVE');
  }
}
