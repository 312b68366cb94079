import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { asRivuletError, RivuletError } from '../../core/errors.ts';
import type { Sink, SinkWriter, SinkWriterContext } from '../../core/sink.ts';
import { stringifyJson } from '../common/json.ts';

/** Options of `FileSink.forCsv`. */
export interface CsvSinkOptions<T> {
  /** The header line, in order; without `format`, also the properties read from each record. */
  readonly columns: readonly string[];
  /** The cells of a record, in `columns` order (default: `columns.map((c) => record[c])`). */
  readonly format?: (record: T) => readonly unknown[];
  /** One character between fields (default `,`). */
  readonly delimiter?: string;
}

/** Turns records into the bytes of one format. */
interface RecordEncoder<T> {
  readonly extension: string;
  /** Text at the start of every part file (a CSV header), or ''. */
  readonly preamble: string;
  encode(record: T): string;
}

/** Characters of buffered text that trigger a write to disk. */
const WRITE_THRESHOLD = 64 * 1024;

/** A closed part file waiting for its checkpoint to complete (plain data: part of the writer's state). */
interface PendingPart {
  readonly checkpointId: number;
  /** File names in the output directory. */
  readonly inProgress: string;
  readonly final: string;
  /** Bytes of the closed file; a longer file is truncated to it when committed. */
  readonly size: number;
}

/** What a writer stores in a checkpoint. */
interface PartWriterState {
  readonly subtask: number;
  /** The counter of the writer's next part file. */
  readonly nextCounter: number;
  /** Parts not yet committed, the one this checkpoint closed included. */
  readonly pending: readonly PendingPart[];
}

/**
 * Writes records to files in one output directory, in the layout of Flink's `FileSink`:
 * each sink subtask writes part files `part-<subtask>-<counter>.<ext>`. A part file is
 * written as the hidden in-progress file `.part-<subtask>-<counter>.<ext>.inprogress`
 * (file sources skip names starting with `.`), so readers never see a half-written file.
 *
 * Without checkpointing, a subtask writes one part (counter 0), renamed to its final name
 * at the end of input. With checkpointing, Flink's two-phase commit: at checkpoint n the
 * in-progress part is closed and becomes pending (its name and size are in the writer's
 * state of checkpoint n); when checkpoint n completes, the pending parts of checkpoints
 * <= n are committed (renamed to their final names). On a restore, the pending parts of
 * the restored checkpoint are committed (again, idempotently) and the in-progress files a
 * failed attempt left are deleted, so the committed parts hold every record exactly once.
 *
 * A subtask that receives no records writes no file, as in Flink.
 */
export class FileSink<T> implements Sink<T> {
  readonly directory: string;
  private readonly encoder: RecordEncoder<T>;

  private constructor(directory: string, encoder: RecordEncoder<T>) {
    this.directory = directory;
    this.encoder = encoder;
  }

  /**
   * CSV part files with a header line. Cells: strings as they are (quoted per RFC 4180 when
   * they hold the delimiter, a quote or a line break), numbers and bigints via `String()`,
   * null/undefined empty, dates as ISO-8601, other objects as JSON.
   */
  static forCsv<T>(directory: string, options: CsvSinkOptions<T>): FileSink<T> {
    return new FileSink<T>(directory, new CsvEncoder<T>(options));
  }

  /** JSON Lines part files (`.jsonl`): one JSON value per line; bigints as numbers. */
  static forJsonLines<T>(directory: string): FileSink<T> {
    return new FileSink<T>(directory, JSON_LINES_ENCODER as RecordEncoder<T>);
  }

  createWriter(context: SinkWriterContext): SinkWriter<T> {
    this.makeDirectory(context);
    return new PartFileWriter<T>(this.directory, context, this.encoder, 0, []);
  }

  /**
   * A writer restored from checkpoint states: commits their pending parts, deletes the
   * in-progress files of failed attempts (of this subtask and of the old subtasks whose
   * states it got), and numbers its next parts after every part of its subtask.
   */
  restoreWriter(context: SinkWriterContext, recoveredState: readonly unknown[]): SinkWriter<T> {
    this.makeDirectory(context);
    const states = recoveredState.filter(isPartWriterState);
    const pending = states.flatMap((s) => s.pending);
    const keep = new Set(pending.map((p) => p.inProgress));
    const me = context.subtaskIndex;
    const cleaned = new Set([me, ...states.map((s) => s.subtask).filter((s) => s >= context.parallelism)]);
    const ext = this.encoder.extension;
    let nextCounter = Math.max(0, ...states.filter((s) => s.subtask === me).map((s) => s.nextCounter));
    const writer = new PartFileWriter<T>(this.directory, context, this.encoder, 0, pending);
    writer.commitUpTo(Number.POSITIVE_INFINITY);
    for (const name of readdirSync(this.directory)) {
      const m = /^(\.)?part-(\d+)-(\d+)\.(.+?)(\.inprogress)?$/.exec(name);
      if (m === null || m[4] !== ext || (m[1] === undefined) !== (m[5] === undefined)) continue;
      const subtask = Number(m[2]);
      if (m[5] !== undefined) {
        if (cleaned.has(subtask) && !keep.has(name)) rmSync(join(this.directory, name), { force: true });
      } else if (subtask === me) {
        nextCounter = Math.max(nextCounter, Number(m[3]) + 1);
      }
    }
    writer.setNextCounter(nextCounter);
    return writer;
  }

  toString(): string {
    return `FileSink (${this.encoder.extension}) ${this.directory}`;
  }

  private makeDirectory(context: SinkWriterContext): void {
    try {
      mkdirSync(this.directory, { recursive: true });
    } catch (e) {
      throw asRivuletError(e, 'INVALID_ARGUMENT', `Cannot create the output directory ${this.directory}`, {
        file: this.directory,
        operatorUid: context.operatorUid,
        subtask: context.subtaskIndex,
      });
    }
  }
}

function isPartWriterState(s: unknown): s is PartWriterState {
  return typeof s === 'object' && s !== null && Array.isArray((s as PartWriterState).pending) && typeof (s as PartWriterState).subtask === 'number';
}

/**
 * One subtask's part files. `write` is on the per-record path: it appends to a string and
 * only every WRITE_THRESHOLD characters does a synchronous write to the open descriptor.
 */
class PartFileWriter<T> implements SinkWriter<T> {
  // ---- configuration
  private readonly encoder: RecordEncoder<T>;
  private readonly directory: string;
  private readonly subtask: number;
  private readonly operatorUid: string;
  /** Parts are committed on checkpoints, not at the end of input. */
  private readonly twoPhase: boolean;

  // ---- state
  private nextCounter: number;
  private pending: PendingPart[];
  /** The open in-progress part. */
  private fd: number | undefined;
  private current: { readonly inProgress: string; readonly final: string } | undefined;
  private size = 0;
  private buffer = '';
  private finished = false;

  constructor(directory: string, context: SinkWriterContext, encoder: RecordEncoder<T>, nextCounter: number, pending: readonly PendingPart[]) {
    this.encoder = encoder;
    this.directory = directory;
    this.subtask = context.subtaskIndex;
    this.operatorUid = context.operatorUid;
    this.twoPhase = context.checkpointingEnabled === true;
    this.nextCounter = nextCounter;
    this.pending = [...pending];
  }

  setNextCounter(counter: number): void {
    this.nextCounter = counter;
  }

  write(record: T): void {
    if (this.fd === undefined) this.open();
    this.buffer += this.encoder.encode(record);
    if (this.buffer.length >= WRITE_THRESHOLD) this.writeBuffer();
  }

  /**
   * Writes the buffer; at the end of input without checkpointing, syncs the part and renames
   * it to its final name (with checkpointing, the final checkpoint commits it).
   */
  flush(endOfInput: boolean): void {
    if (this.fd === undefined) return;
    this.writeBuffer();
    if (!endOfInput || this.twoPhase) return;
    const part = this.closePart();
    renameSync(join(this.directory, part.inProgress), join(this.directory, part.final));
    this.finished = true;
  }

  /** Checkpoint n: the in-progress part (if any) is closed and becomes pending. */
  snapshotState(checkpointId: number): PartWriterState {
    if (this.fd !== undefined) this.pending.push({ checkpointId, ...this.closePart() });
    return { subtask: this.subtask, nextCounter: this.nextCounter, pending: this.pending };
  }

  notifyCheckpointComplete(checkpointId: number): void {
    this.commitUpTo(checkpointId);
  }

  /** Commits (renames) the pending parts of checkpoints <= `checkpointId`; a part already committed is skipped. */
  commitUpTo(checkpointId: number): void {
    if (!this.pending.some((p) => p.checkpointId <= checkpointId)) return;
    const left: PendingPart[] = [];
    for (const p of this.pending) {
      if (p.checkpointId > checkpointId) {
        left.push(p);
        continue;
      }
      const from = join(this.directory, p.inProgress);
      const to = join(this.directory, p.final);
      if (existsSync(from)) {
        if (statSync(from).size > p.size) truncateSync(from, p.size);
        renameSync(from, to);
      } else if (!existsSync(to)) {
        throw new RivuletError('INTERNAL', `FileSink cannot commit part ${p.final} of checkpoint ${p.checkpointId}: neither ${from} nor ${to} exists`, {
          file: from,
          operatorUid: this.operatorUid,
          subtask: this.subtask,
          checkpointId: p.checkpointId,
        });
      }
    }
    this.pending = left;
  }

  /** Closes without finishing: an unfinished part stays in progress (deleted on a restore). */
  close(): void {
    if (this.fd === undefined) return;
    this.writeBuffer();
    closeSync(this.fd);
    this.fd = undefined;
  }

  private open(): void {
    if (this.finished) {
      throw new RivuletError('INTERNAL', `FileSink part ${this.current?.final ?? ''} got a record after the end of input`);
    }
    const name = `part-${this.subtask}-${this.nextCounter++}.${this.encoder.extension}`;
    this.current = { inProgress: `.${name}.inprogress`, final: name };
    this.fd = openSync(join(this.directory, this.current.inProgress), 'w');
    this.size = 0;
    this.buffer = this.encoder.preamble;
  }

  /** Writes, syncs and closes the in-progress part. */
  private closePart(): { readonly inProgress: string; readonly final: string; readonly size: number } {
    this.writeBuffer();
    fsyncSync(this.fd!);
    closeSync(this.fd!);
    this.fd = undefined;
    return { ...this.current!, size: this.size };
  }

  private writeBuffer(): void {
    if (this.fd === undefined || this.buffer.length === 0) return;
    const bytes = Buffer.from(this.buffer, 'utf8');
    this.buffer = '';
    for (let offset = 0; offset < bytes.length; ) offset += writeSync(this.fd, bytes, offset);
    this.size += bytes.length;
  }
}

class CsvEncoder<T> implements RecordEncoder<T> {
  readonly extension = 'csv';
  readonly preamble: string;
  private readonly columns: readonly string[];
  private readonly format: ((record: T) => readonly unknown[]) | undefined;
  private readonly delimiter: string;
  /** Matches text that must be quoted. */
  private readonly needsQuotes: RegExp;

  constructor(options: CsvSinkOptions<T>) {
    const delimiter = options.delimiter ?? ',';
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
      throw new RivuletError('INVALID_ARGUMENT', `CSV delimiter must be one character other than a quote or a line break, got ${JSON.stringify(delimiter)}`);
    }
    if (options.columns.length === 0) {
      throw new RivuletError('INVALID_ARGUMENT', 'FileSink.forCsv needs at least one column');
    }
    this.columns = options.columns;
    this.format = options.format;
    this.delimiter = delimiter;
    this.needsQuotes = new RegExp(`["\\n\\r${delimiter.replace(/[\\\]^-]/g, '\\$&')}]`);
    this.preamble = options.columns.map((c) => this.quote(c)).join(delimiter) + '\n';
  }

  encode(record: T): string {
    const columns = this.columns;
    let line = '';
    if (this.format !== undefined) {
      const cells = this.format(record);
      for (let i = 0; i < columns.length; i++) line += (i === 0 ? '' : this.delimiter) + this.cell(cells[i]);
    } else {
      const row = record as Record<string, unknown>;
      for (let i = 0; i < columns.length; i++) line += (i === 0 ? '' : this.delimiter) + this.cell(row[columns[i]!]);
    }
    return line + '\n';
  }

  private cell(value: unknown): string {
    switch (typeof value) {
      case 'string':
        return this.quote(value);
      case 'number':
      case 'bigint':
      case 'boolean':
        return String(value);
      case 'undefined':
        return '';
      default:
        if (value === null) return '';
        if (value instanceof Date) return value.toISOString();
        return this.quote(stringifyJson(value));
    }
  }

  private quote(text: string): string {
    return this.needsQuotes.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  }
}

const JSON_LINES_ENCODER: RecordEncoder<unknown> = {
  extension: 'jsonl',
  preamble: '',
  encode: (record) => stringifyJson(record) + '\n',
};
