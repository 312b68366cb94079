/**
 * A task whose chain head is a SourceOperator: it polls the reader while outputs have
 * credit, and waits on the reader's availability future when nothing is ready.
 */
import type { SourceSplit } from '../../core/source.ts';
import { InputStatus } from '../../core/source.ts';
import type { SourceOperator } from '../operators/source-operator.ts';
import type { InputResult, StreamTaskOptions } from './stream-task.ts';
import { StreamTask } from './stream-task.ts';

export class SourceStreamTask extends StreamTask {
  private waiting = false;

  constructor(o: StreamTaskOptions) {
    super(o);
  }

  private get source(): SourceOperator {
    return this.chain.head.operator as SourceOperator;
  }

  /** Splits from the enumerator; applied as a mail between batches. */
  addSplits(splits: SourceSplit[]): void {
    this.post(() => this.source.addSplits(splits));
  }

  noMoreSplits(): void {
    this.post(() => this.source.notifyNoMoreSplits());
  }

  protected processInput(deadline: number): InputResult {
    // A source that ended only takes checkpoint mails until the final checkpoint.
    if (this.inputEnded) return 'end';
    const source = this.source;
    for (;;) {
      if (!this.outputsAvailable()) return 'blocked';
      const status = source.pollNext();
      if (status === InputStatus.END_OF_INPUT) return 'end';
      if (status === InputStatus.NOTHING_AVAILABLE) {
        if (!this.waiting) {
          this.waiting = true;
          source.isAvailable().then(
            () => {
              this.waiting = false;
              this.scheduler.schedule(this);
            },
            (e: unknown) => this.fail(e),
          );
        }
        return 'idle';
      }
      if (performance.now() >= deadline) return 'more';
    }
  }
}
