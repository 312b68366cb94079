import type { SourceSplit } from '../../core/source.ts';

/** A range of record indexes `[from, to)`; the split of sequence-like sources. */
export interface IndexRangeSplit extends SourceSplit {
  readonly from: number;
  readonly to: number;
}

/** Where an unbounded index range ends: the largest exact integer range of a JS number. */
export const UNBOUNDED_END = 2 ** 53;

/**
 * Divides `[0, count)` into `parts` contiguous ranges of near-equal size, as Flink's
 * `NumberSequenceSource`; an infinite count divides `[0, 2^53)`. Empty ranges are left out.
 */
export function splitIndexRange(count: number, parts: number, idPrefix: string): IndexRangeSplit[] {
  const end = Number.isFinite(count) ? count : UNBOUNDED_END;
  const splits: IndexRangeSplit[] = [];
  for (let i = 0; i < parts; i++) {
    const from = Math.floor((end * i) / parts);
    const to = Math.floor((end * (i + 1)) / parts);
    if (to > from) splits.push({ splitId: `${idPrefix}-${i}`, from, to });
  }
  return splits;
}
