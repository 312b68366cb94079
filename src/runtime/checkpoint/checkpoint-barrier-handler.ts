/**
 * What a task with input channels does with checkpoint barriers; as Flink's
 * SingleCheckpointBarrierHandler (aligned, exactly-once) and CheckpointBarrierTracker
 * (at-least-once).
 *
 * Every upstream subtask sends barrier n on every channel once it has taken its snapshot n,
 * after the records before it — also after its end of partition, since tasks that have
 * ended keep taking part in checkpoints until the final one. So barrier n arrives on every
 * channel of the gate, in order, and the task takes its snapshot n once it has all of them:
 *
 * - EXACTLY_ONCE (aligned): a channel that delivered barrier n is blocked (its later events
 *   stay in its queue) until the last channel delivers it; then the task snapshots, before
 *   it reads any record that followed a barrier. The snapshot thus reflects exactly the
 *   records before barrier n on every channel.
 * - AT_LEAST_ONCE: nothing is blocked; the snapshot happens when the last barrier n
 *   arrives, so it may include records that followed barrier n on channels that delivered
 *   it early (after a restore those records are processed again).
 *
 * A barrier of a newer checkpoint than the one being aligned cancels that alignment (its
 * checkpoint cannot complete here any more); barriers of checkpoints already taken or
 * aborted are ignored. Barriers are rare: nothing here runs per record.
 */
import type { CheckpointingMode } from '../../core/checkpoint.ts';
import type { InputGate } from '../network/input-gate.ts';

/** Takes snapshot `checkpointId` (the task's performCheckpoint). */
export type OnBarriersReceived = (checkpointId: number, timestamp: number) => void;

export interface CheckpointBarrierHandler {
  /** Barrier `checkpointId` arrived on gate channel `channel`. */
  processBarrier(channel: number, checkpointId: number, timestamp: number): void;
  /** The coordinator aborted `checkpointId`: stop waiting for its barriers (unblocks). */
  abortCheckpoint(checkpointId: number): void;
}

export function createBarrierHandler(mode: CheckpointingMode, gate: InputGate, onBarriersReceived: OnBarriersReceived): CheckpointBarrierHandler {
  return mode === 'EXACTLY_ONCE' ? new AligningBarrierHandler(gate, onBarriersReceived) : new BarrierTracker(gate.channels.length, onBarriersReceived);
}

class AligningBarrierHandler implements CheckpointBarrierHandler {
  private readonly gate: InputGate;
  private readonly onBarriersReceived: OnBarriersReceived;
  /** The checkpoint being aligned, or the last one taken or given up. */
  private currentId = 0;
  private received = 0;

  constructor(gate: InputGate, onBarriersReceived: OnBarriersReceived) {
    this.gate = gate;
    this.onBarriersReceived = onBarriersReceived;
  }

  processBarrier(channel: number, checkpointId: number, timestamp: number): void {
    if (checkpointId < this.currentId) return;
    if (checkpointId > this.currentId) {
      // A newer checkpoint: whatever was being aligned cannot complete here.
      this.gate.unblockAll();
      this.currentId = checkpointId;
      this.received = 0;
    } else if (this.received === 0 || this.gate.isBlocked(channel)) {
      return; // taken or aborted already; or a duplicate
    }
    this.received++;
    if (this.received < this.gate.channels.length) {
      this.gate.blockChannel(channel);
      return;
    }
    this.gate.unblockAll();
    this.received = 0;
    this.onBarriersReceived(checkpointId, timestamp);
  }

  abortCheckpoint(checkpointId: number): void {
    if (checkpointId < this.currentId || (checkpointId === this.currentId && this.received === 0)) return;
    this.gate.unblockAll();
    this.currentId = checkpointId;
    this.received = 0;
  }
}

class BarrierTracker implements CheckpointBarrierHandler {
  private readonly numChannels: number;
  private readonly onBarriersReceived: OnBarriersReceived;
  /** Barriers received per checkpoint not yet taken. */
  private readonly pending = new Map<number, number>();
  /** The latest checkpoint taken; older barriers are ignored. */
  private latestTaken = 0;
  private readonly aborted = new Set<number>();

  constructor(numChannels: number, onBarriersReceived: OnBarriersReceived) {
    this.numChannels = numChannels;
    this.onBarriersReceived = onBarriersReceived;
  }

  processBarrier(_channel: number, checkpointId: number, timestamp: number): void {
    if (checkpointId <= this.latestTaken || this.aborted.has(checkpointId)) return;
    const received = (this.pending.get(checkpointId) ?? 0) + 1;
    if (received < this.numChannels) {
      this.pending.set(checkpointId, received);
      return;
    }
    this.latestTaken = checkpointId;
    for (const id of this.pending.keys()) if (id <= checkpointId) this.pending.delete(id);
    for (const id of this.aborted) if (id <= checkpointId) this.aborted.delete(id);
    this.onBarriersReceived(checkpointId, timestamp);
  }

  abortCheckpoint(checkpointId: number): void {
    if (checkpointId <= this.latestTaken) return;
    this.pending.delete(checkpointId);
    this.aborted.add(checkpointId);
  }
}
