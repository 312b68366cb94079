import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
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

/**
 * Writes records to files in one output directory, in the layout of Flink's `FileSink`:
 * each sink subtask writes its own part file `part-<subtask>-0.<ext>`. A part file is
 * written as the hidden in-progress file `.part-<subtask>-0.<ext>.inprogress` and renamed
 * to its final name at the end of input, so readers never see a half-written file (file
 * sources skip names starting with `.`). This is the first half of Flink's in-progress ->
 * pending -> finished protocol; committing on checkpoints arrives with issue #4.
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
    try {
      mkdirSync(this.directory, { recursive: true });
    } catch (e) {
      throw asRivuletError(e, 'INVALID_ARGUMENT', `Cannot create the output directory ${this.directory}`, {
        file: this.directory,
        operatorUid: context.operatorUid,
        subtask: context.subtaskIndex,
      });
    }
    return new PartFileWriter<T>(this.directory, context.subtaskIndex, this.encoder);
  }

  toString(): string {
    return `FileSink (${this.encoder.extension}) ${this.directory}`;
  }
}

/**
 * One subtask's part file. `write` is on the per-record path: it appends to a string and
 * only every WRITE_THRESHOLD characters does a synchronous write to the open descriptor.
 */
class PartFileWriter<T> implements SinkWriter<T> {
  // ---- configuration
  private readonly encoder: RecordEncoder<T>;
  private readonly inProgressPath: string;
  private readonly finalPath: string;

  // ---- state (the in-progress file's length will be checkpointed with issue #4)
  private fd: number | undefined;
  private buffer = '';
  private finished = false;

  constructor(directory: string, subtaskIndex: number, encoder: RecordEncoder<T>) {
    this.encoder = encoder;
    const name = `part-${subtaskIndex}-0.${encoder.extension}`;
    this.finalPath = join(directory, name);
    this.inProgressPath = join(directory, `.${name}.inprogress`);
  }

  write(record: T): void {
    if (this.fd === undefined) this.open();
    this.buffer += this.encoder.encode(record);
    if (this.buffer.length >= WRITE_THRESHOLD) this.writeBuffer();
  }

  /** Writes the buffer; at the end of input, syncs the file and renames it to its final name. */
  flush(endOfInput: boolean): void {
    if (this.fd === undefined) return;
    this.writeBuffer();
    if (!endOfInput) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = undefined;
    renameSync(this.inProgressPath, this.finalPath);
    this.finished = true;
  }

  /** Closes without finishing: an unfinished part stays in progress (cleaned up on recovery, issue #4). */
  close(): void {
    if (this.fd === undefined) return;
    this.writeBuffer();
    closeSync(this.fd);
    this.fd = undefined;
  }

  private open(): void {
    if (this.finished) {
      throw new RivuletError('INTERNAL', `FileSink part ${this.finalPath} got a record after the end of input`);
    }
    this.fd = openSync(this.inProgressPath, 'w');
    this.buffer = this.encoder.preamble;
  }

  private writeBuffer(): void {
    if (this.fd === undefined || this.buffer.length === 0) return;
    const bytes = Buffer.from(this.buffer, 'utf8');
    this.buffer = '';
    for (let offset = 0; offset < bytes.length; ) offset += writeSync(this.fd, bytes, offset);
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
