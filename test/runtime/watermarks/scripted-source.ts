/**
 * A source whose readers emit exactly what the test pushes, split by split, in push order;
 * for watermark tests that need splits (or whole subtasks) with different event-time
 * progress, pauses (idleness) and a controlled end. In-process only: the script is shared
 * by object reference.
 *
 * Each reader creates an output per assigned split (`createOutputForSplit`, per-split
 * watermarks) at its first poll after the assignment, emits the split's records through
 * it, and releases it once the test finished the split and its records are out; with `perSplitOutputs: false` it emits everything through
 * the reader's main output instead, as a connector that knows nothing of splits.
 */
import { InputStatus } from '../../../src/core/source.ts';
import type {
  Boundedness,
  ReaderOutput,
  Source,
  SourceReader,
  SourceReaderContext,
  SourceSplit,
  SplitEnumerator,
  SplitEnumeratorContext,
} from '../../../src/core/source.ts';

export interface ScriptedSplit extends SourceSplit {
  /** The subtask the enumerator assigns it to. */
  readonly subtask: number;
}

export class ScriptedSource<T> implements Source<T, ScriptedSplit> {
  readonly splits: readonly ScriptedSplit[];
  private readonly perSplitOutputs: boolean;
  /** Everything pushed, in order; readers keep their own positions. */
  private readonly log: { splitId: string; item: T; timestamp: number | undefined }[] = [];
  private readonly finished = new Set<string>();
  private readonly waiters = new Set<() => void>();

  constructor(splits: readonly ScriptedSplit[], options: { perSplitOutputs?: boolean } = {}) {
    this.splits = splits;
    this.perSplitOutputs = options.perSplitOutputs ?? true;
  }

  /** Queues records of `splitId`, optionally with a source timestamp each. */
  push(splitId: string, ...items: T[]): this {
    for (const item of items) this.log.push({ splitId, item, timestamp: undefined });
    this.wake();
    return this;
  }

  /** No more records for `splitId`: once they are read, the reader releases the split. */
  finishSplit(...splitIds: string[]): this {
    for (const id of splitIds) this.finished.add(id);
    this.wake();
    return this;
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
    this.waiters.clear();
  }

  getBoundedness(): Boundedness {
    return 'BOUNDED';
  }

  createEnumerator(context: SplitEnumeratorContext<ScriptedSplit>): SplitEnumerator<ScriptedSplit> {
    const splits = this.splits;
    const served = new Set<number>();
    return {
      start() {},
      handleSplitRequest(subtask) {
        if (served.has(subtask)) return;
        served.add(subtask);
        for (const s of splits) if (s.subtask === subtask) context.assignSplit(s, subtask);
        context.signalNoMoreSplits(subtask);
      },
      addSplitsBack() {},
      close() {},
    };
  }

  createReader(context: SourceReaderContext): SourceReader<T, ScriptedSplit> {
    return new ScriptedReader<T>(this, context, this.perSplitOutputs);
  }

  /** @internal for the readers */
  entry(i: number): { splitId: string; item: T; timestamp: number | undefined } | undefined {
    return this.log[i];
  }

  /** @internal */
  isFinished(splitId: string): boolean {
    return this.finished.has(splitId);
  }

  /** @internal */
  onChange(): Promise<void> {
    return new Promise((resolve) => this.waiters.add(resolve));
  }

  toString(): string {
    return 'ScriptedSource';
  }
}

class ScriptedReader<T> implements SourceReader<T, ScriptedSplit> {
  private readonly script: ScriptedSource<T>;
  private readonly context: SourceReaderContext;
  private readonly perSplitOutputs: boolean;
  /** The splits of this subtask, assigned or not yet. */
  private readonly mine: Set<string>;
  private readonly assigned = new Set<string>();
  private readonly released = new Set<string>();
  private position = 0;
  private noMoreSplits = false;

  constructor(script: ScriptedSource<T>, context: SourceReaderContext, perSplitOutputs: boolean) {
    this.script = script;
    this.context = context;
    this.perSplitOutputs = perSplitOutputs;
    this.mine = new Set(script.splits.filter((s) => s.subtask === context.subtaskIndex).map((s) => s.splitId));
  }

  start(): void {
    this.context.sendSplitRequest();
  }

  pollNext(output: ReaderOutput<T>): InputStatus {
    // As a real reader opens its splits: every assigned split has its output (and so holds
    // the watermark back) from the first poll after it came, records or not.
    if (this.perSplitOutputs) for (const id of this.assigned) if (!this.released.has(id)) output.createOutputForSplit(id);
    for (let e = this.script.entry(this.position); e !== undefined; e = this.script.entry(++this.position)) {
      if (!this.mine.has(e.splitId)) continue; // another subtask's
      if (!this.assigned.has(e.splitId)) break; // ours, not assigned yet: wait for it
      const out = this.perSplitOutputs ? output.createOutputForSplit(e.splitId) : output;
      out.collect(e.item, e.timestamp);
    }
    for (const id of this.assigned) {
      if (!this.released.has(id) && this.script.isFinished(id)) {
        this.released.add(id);
        if (this.perSplitOutputs) output.releaseOutputForSplit(id);
      }
    }
    if (this.noMoreSplits && this.released.size === this.assigned.size) return InputStatus.END_OF_INPUT;
    return InputStatus.NOTHING_AVAILABLE;
  }

  isAvailable(): Promise<void> {
    return this.script.onChange();
  }

  addSplits(splits: ScriptedSplit[]): void {
    for (const s of splits) this.assigned.add(s.splitId);
  }

  notifyNoMoreSplits(): void {
    this.noMoreSplits = true;
  }

  /** Scripted runs are not checkpointed. */
  snapshotState(): ScriptedSplit[] {
    return [];
  }

  close(): void {}
}
