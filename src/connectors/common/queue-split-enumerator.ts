import type { SourceSplit, SplitEnumerator, SplitEnumeratorContext } from '../../core/source.ts';

/** How a {@link QueueSplitEnumerator} is configured. */
export interface QueueSplitEnumeratorOptions<Split extends SourceSplit> {
  /** Finds the splits once, in `start()`; may be asynchronous (file listing). */
  readonly discover: () => Promise<readonly Split[]> | readonly Split[];
  /** Which subtasks may take splits (default all); the others are told "no more splits". */
  readonly assignableTo?: (subtask: number) => boolean;
  /**
   * The pending splits of a checkpoint (what {@link QueueSplitEnumerator.snapshotState}
   * returned): the enumerator continues with them instead of discovering.
   */
  readonly restored?: readonly Split[];
}

/**
 * The enumerator of sources whose splits are known up front (files, index ranges): as
 * Flink's static file and iterator enumerators, it hands out one pending split per split
 * request, in order, and answers "no more splits" once none is left. Readers ask again
 * after finishing a split, so work spreads to whichever reader is free.
 *
 * Requests that arrive before discovery finished are answered when it has. Its checkpoint
 * state is the list of splits not yet assigned.
 */
export class QueueSplitEnumerator<Split extends SourceSplit> implements SplitEnumerator<Split> {
  private readonly context: SplitEnumeratorContext<Split>;
  private readonly options: QueueSplitEnumeratorOptions<Split>;

  private readonly pending: Split[] = [];
  private discovered = false;
  /** Subtasks that asked before discovery finished, in order of asking. */
  private readonly waiting: number[] = [];

  constructor(context: SplitEnumeratorContext<Split>, options: QueueSplitEnumeratorOptions<Split>) {
    this.context = context;
    this.options = options;
  }

  async start(): Promise<void> {
    const splits = this.options.restored ?? (await this.options.discover());
    this.pending.push(...splits);
    this.discovered = true;
    for (const subtask of this.waiting.splice(0)) this.handleSplitRequest(subtask);
  }

  handleSplitRequest(subtask: number): void {
    if (!this.discovered) {
      this.waiting.push(subtask);
      return;
    }
    const assignable = this.options.assignableTo?.(subtask) ?? true;
    const split = assignable ? this.pending.shift() : undefined;
    if (split === undefined) {
      this.context.signalNoMoreSplits(subtask);
    } else {
      this.context.assignSplit(split, subtask);
    }
  }

  addSplitsBack(splits: Split[], _subtask: number): void {
    this.pending.unshift(...splits);
  }

  snapshotState(): Split[] | undefined {
    return this.discovered ? [...this.pending] : undefined;
  }

  close(): void {}
}
