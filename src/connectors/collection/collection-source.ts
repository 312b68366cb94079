import type {
  Boundedness,
  Source,
  SourceReader,
  SourceReaderContext,
  SplitEnumerator,
  SplitEnumeratorContext,
} from '../../core/source.ts';
import { IndexRangeReader } from '../common/index-range-reader.ts';
import { splitIndexRange } from '../common/index-range-split.ts';
import type { IndexRangeSplit } from '../common/index-range-split.ts';
import { QueueSplitEnumerator } from '../common/queue-split-enumerator.ts';

/**
 * A bounded source of the given items, in order, as Flink's `fromCollection`: one split
 * (the index range of all items) read by subtask 0; other subtasks get no split and end.
 *
 * Items never cross threads: every worker rebuilds the job and so holds its own copy of
 * the array; the split carries only indexes.
 */
export class CollectionSource<T> implements Source<T, IndexRangeSplit> {
  private readonly items: readonly T[];

  constructor(items: readonly T[]) {
    this.items = items;
  }

  getBoundedness(): Boundedness {
    return 'BOUNDED';
  }

  createEnumerator(context: SplitEnumeratorContext<IndexRangeSplit>, restored?: readonly IndexRangeSplit[]): SplitEnumerator<IndexRangeSplit> {
    return new QueueSplitEnumerator(context, {
      discover: () => splitIndexRange(this.items.length, 1, 'collection'),
      assignableTo: (subtask) => subtask === 0,
      ...(restored !== undefined ? { restored } : {}),
    });
  }

  /** Continues with the range not yet assigned at the checkpoint, if any. */
  restoreEnumerator(context: SplitEnumeratorContext<IndexRangeSplit>, checkpoint: unknown): SplitEnumerator<IndexRangeSplit> {
    return this.createEnumerator(context, checkpoint as IndexRangeSplit[] | undefined);
  }

  createReader(context: SourceReaderContext): SourceReader<T, IndexRangeSplit> {
    const items = this.items;
    return new IndexRangeReader<T>(context, {
      produce: (index) => items[index] as T,
      producerName: 'CollectionSource',
    });
  }

  toString(): string {
    return `Collection (${this.items.length} items)`;
  }
}
