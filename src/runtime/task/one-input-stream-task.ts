/**
 * A task whose chain head reads from an input gate (everything but sources).
 * Data path: one batch at a time, records pushed through the chain by direct calls.
 * Checkpoint barriers go to the barrier handler, which blocks channels while aligning and
 * takes the snapshot when the last barrier arrives (see CheckpointBarrierHandler).
 */
import type { CheckpointBarrierHandler } from '../checkpoint/checkpoint-barrier-handler.ts';
import type { InputGate } from '../network/input-gate.ts';
import type { InputResult, StreamTaskOptions } from './stream-task.ts';
import { StreamTask } from './stream-task.ts';

export class OneInputStreamTask extends StreamTask {
  private readonly gate: InputGate;
  private readonly barriers: CheckpointBarrierHandler | undefined;

  constructor(o: StreamTaskOptions & { gate: InputGate }) {
    super(o);
    this.gate = o.gate;
    this.barriers = this.createBarrierHandler(o.gate);
    for (const ch of o.gate.channels) ch.onData = () => this.scheduler.schedule(this);
  }

  protected processInput(deadline: number): InputResult {
    const head = this.chain.head;
    const op = head.operator;
    const metrics = head.metrics;
    const gate = this.gate;
    for (;;) {
      if (!this.outputsAvailable()) return 'blocked';
      const event = gate.poll();
      if (event === undefined) return gate.isFinished() ? 'end' : 'idle';
      switch (event.kind) {
        case 'records': {
          // The batch left the channel's queue: its credit goes back before processing, so
          // the sender (in another thread: a round trip away) can refill while we work.
          gate.channels[gate.lastChannel]!.releaseBatch();
          const values = event.values;
          const timestamps = event.timestamps;
          const n = values.length;
          metrics.recordsIn += n;
          for (let i = 0; i < n; i++) op.processElement(values[i], timestamps[i]!);
          break;
        }
        case 'watermark': {
          const wm = gate.watermark(gate.lastChannel, event.timestamp);
          if (wm !== undefined) op.processWatermark(wm);
          break;
        }
        case 'watermarkStatus': {
          const before = gate.status();
          const wm = gate.watermarkStatus(gate.lastChannel, event.status);
          if (wm !== undefined) op.processWatermark(wm);
          if (gate.status() !== before) op.processWatermarkStatus(gate.status());
          break;
        }
        case 'end': {
          const before = gate.status();
          const wm = gate.channelEnded(gate.lastChannel);
          if (wm !== undefined) op.processWatermark(wm);
          if (gate.status() !== before) op.processWatermarkStatus(gate.status());
          if (gate.isFinished()) return 'end';
          break;
        }
        case 'barrier':
          this.barriers?.processBarrier(gate.lastChannel, event.checkpointId, event.timestamp);
          break;
      }
      if (performance.now() >= deadline) return 'more';
    }
  }

  protected override abortAlignment(checkpointId: number): void {
    this.barriers?.abortCheckpoint(checkpointId);
  }
}
