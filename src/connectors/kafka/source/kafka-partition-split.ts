import type { SourceSplit } from '../../../core/source.ts';

/**
 * One topic-partition, the split of a {@link KafkaSource}; as Flink's `KafkaPartitionSplit`.
 * Plain data (it crosses threads and goes into checkpoints): the enumerator creates it with
 * resolved offsets, and a reader's checkpoint stores it with `startingOffset` moved to the
 * next offset to read.
 */
export interface KafkaPartitionSplit extends SourceSplit {
  /** `topic-partition`. */
  readonly splitId: string;
  readonly topic: string;
  readonly partition: number;
  /** The offset of the next record to read. */
  readonly startingOffset: number;
  /** Bounded: the first offset not to read (the split is finished there); unbounded: undefined. */
  readonly stoppingOffset: number | undefined;
}
