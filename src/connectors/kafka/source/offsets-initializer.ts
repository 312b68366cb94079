import { RivuletError } from '../../../core/errors.ts';

/**
 * What a source does for a partition whose wanted offset does not exist (no committed
 * offset for the group, a specific offset not given): as Kafka's `auto.offset.reset` and
 * Flink's `OffsetResetStrategy`. `NONE` fails the job naming the partition.
 */
export const OffsetResetStrategy = {
  EARLIEST: 'EARLIEST',
  LATEST: 'LATEST',
  NONE: 'NONE',
} as const;
export type OffsetResetStrategy = (typeof OffsetResetStrategy)[keyof typeof OffsetResetStrategy];

/** One partition's offset, for {@link OffsetsInitializer.offsets}. */
export interface TopicPartitionOffset {
  readonly topic: string;
  readonly partition: number;
  /** The offset of the first record to read (starting) or the first one not read (stopping). */
  readonly offset: number;
}

/** How an {@link OffsetsInitializer} picks offsets; plain data, resolved by the enumerator. */
export type OffsetsSpec =
  | { readonly kind: 'earliest' }
  | { readonly kind: 'latest' }
  | { readonly kind: 'committed'; readonly reset: OffsetResetStrategy }
  | { readonly kind: 'timestamp'; readonly timestamp: number }
  | { readonly kind: 'offsets'; readonly offsets: ReadonlyMap<string, number>; readonly reset: OffsetResetStrategy };

/**
 * Where a {@link KafkaSource} starts (or, bounded, stops) reading each partition; as Flink's
 * `OffsetsInitializer`. The enumerator resolves it against the brokers when it first sees a
 * partition (at start, or when partition discovery finds a new one), so a split always
 * carries concrete offsets; after a restore, checkpointed positions win.
 */
export class OffsetsInitializer {
  readonly spec: OffsetsSpec;

  private constructor(spec: OffsetsSpec) {
    this.spec = spec;
  }

  /** The first offset still in each partition (log start offset). */
  static earliest(): OffsetsInitializer {
    return new OffsetsInitializer({ kind: 'earliest' });
  }

  /** The end of each partition when it is first seen (high watermark; last stable offset with `isolation.level=read_committed`). */
  static latest(): OffsetsInitializer {
    return new OffsetsInitializer({ kind: 'latest' });
  }

  /**
   * The offsets committed for the source's group id (`setGroupId`); partitions without one
   * use `resetStrategy` (default NONE: the job fails naming the partition).
   */
  static committedOffsets(resetStrategy: OffsetResetStrategy = OffsetResetStrategy.NONE): OffsetsInitializer {
    return new OffsetsInitializer({ kind: 'committed', reset: resetStrategy });
  }

  /**
   * The first record whose Kafka timestamp is at or after `timestamp` (epoch ms); a
   * partition without one starts at its end, as Flink's `TimestampOffsetsInitializer`.
   * @throws RivuletError(INVALID_ARGUMENT) for a negative or non-integer timestamp.
   */
  static timestamp(timestamp: number): OffsetsInitializer {
    if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
      throw new RivuletError('INVALID_ARGUMENT', `OffsetsInitializer.timestamp needs epoch milliseconds >= 0, got ${timestamp}`);
    }
    return new OffsetsInitializer({ kind: 'timestamp', timestamp });
  }

  /**
   * Given offsets per partition; partitions not listed use `resetStrategy` (default EARLIEST,
   * as Flink's `OffsetsInitializer.offsets(Map)`).
   * @throws RivuletError(INVALID_ARGUMENT) for a negative or non-integer offset or partition.
   */
  static offsets(offsets: Iterable<TopicPartitionOffset>, resetStrategy: OffsetResetStrategy = OffsetResetStrategy.EARLIEST): OffsetsInitializer {
    const map = new Map<string, number>();
    for (const o of offsets) {
      if (!Number.isSafeInteger(o.offset) || o.offset < 0 || !Number.isSafeInteger(o.partition) || o.partition < 0) {
        throw new RivuletError('INVALID_ARGUMENT', `OffsetsInitializer.offsets: bad entry ${JSON.stringify(o)} (partition and offset must be integers >= 0)`);
      }
      map.set(topicPartitionKey(o.topic, o.partition), o.offset);
    }
    return new OffsetsInitializer({ kind: 'offsets', offsets: map, reset: resetStrategy });
  }

  toString(): string {
    const s = this.spec;
    switch (s.kind) {
      case 'earliest':
      case 'latest':
        return s.kind;
      case 'committed':
        return `committed (reset ${s.reset})`;
      case 'timestamp':
        return `timestamp ${s.timestamp}`;
      case 'offsets':
        return `offsets of ${s.offsets.size} partitions (reset ${s.reset})`;
    }
  }
}

/** `topic-partition`, Kafka's own spelling of a TopicPartition; also the split id. */
export function topicPartitionKey(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}
