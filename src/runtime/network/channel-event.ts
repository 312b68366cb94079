/**
 * What travels on a channel, in order: batches of records and, between them, control
 * events. Records never travel one by one between tasks; a batch holds parallel arrays of
 * values and event timestamps (NO_TIMESTAMP when a record has none).
 *
 * Checkpoint barriers are a channel event like watermarks, so the next issues can add
 * aligned checkpoints without changing the channel design.
 */
import type { WatermarkStatus } from '../../core/watermark.ts';

export interface RecordBatch {
  readonly kind: 'records';
  readonly values: unknown[];
  readonly timestamps: number[];
}

export interface WatermarkEvent {
  readonly kind: 'watermark';
  readonly timestamp: number;
}

/**
 * The upstream subtask turned idle (it holds back no watermark until it turns active
 * again) or active; as Flink's WatermarkStatus element. See the InputGate's valve.
 */
export interface WatermarkStatusEvent {
  readonly kind: 'watermarkStatus';
  readonly status: WatermarkStatus;
}

/** The upstream subtask has finished; nothing follows on this channel. */
export interface EndOfPartitionEvent {
  readonly kind: 'end';
}

/** Reserved for aligned checkpoints (issue #4). */
export interface CheckpointBarrierEvent {
  readonly kind: 'barrier';
  readonly checkpointId: number;
  readonly timestamp: number;
}

export type ChannelEvent = RecordBatch | WatermarkEvent | WatermarkStatusEvent | EndOfPartitionEvent | CheckpointBarrierEvent;

export const END_OF_PARTITION: EndOfPartitionEvent = { kind: 'end' };
export const WATERMARK_STATUS_IDLE: WatermarkStatusEvent = { kind: 'watermarkStatus', status: 'IDLE' };
export const WATERMARK_STATUS_ACTIVE: WatermarkStatusEvent = { kind: 'watermarkStatus', status: 'ACTIVE' };
