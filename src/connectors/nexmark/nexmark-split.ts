import type { SourceSplit } from '../../core/source.ts';

/**
 * A deterministic share of the Nexmark event ids: the ids below `end` whose block —
 * `floor(id / blockSize)` — is `index` modulo `count`. The `count` splits of one source are
 * disjoint and together hold every id. Striping by blocks rather than cutting the range in
 * `count` pieces keeps the splits' event times together (the ids share one timeline), so
 * no subtask's watermark runs far ahead of the others' and windows close as they would with
 * one reader.
 */
export interface NexmarkSplit extends SourceSplit {
  /** The next id this split generates (where a checkpoint resumes, issue #4). */
  readonly next: number;
  /** One past the last id of the whole stream; 2^53 when unbounded. */
  readonly end: number;
  readonly index: number;
  readonly count: number;
  readonly blockSize: number;
}

/** Ids per block by default: big enough to amortize a block switch, small enough for event time to stay together. */
export const DEFAULT_BLOCK_SIZE = 1000;

/** The `count` splits of `[0, end)`; splits that would hold no id are left out. */
export function nexmarkSplits(end: number, count: number, blockSize: number): NexmarkSplit[] {
  const splits: NexmarkSplit[] = [];
  for (let index = 0; index < count; index++) {
    const next = index * blockSize;
    if (next < end) splits.push({ splitId: `nexmark-${index}-of-${count}`, next, end, index, count, blockSize });
  }
  return splits;
}

/** The ids of a split in order; for tests and references (the reader walks them without a generator). */
export function* splitIds(split: NexmarkSplit): Generator<number> {
  let id = split.next;
  while (id < split.end) {
    const blockEnd = Math.min((Math.floor(id / split.blockSize) + 1) * split.blockSize, split.end);
    for (; id < blockEnd; id++) yield id;
    id = blockEnd - split.blockSize + split.count * split.blockSize;
  }
}
