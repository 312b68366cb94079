import type { OutputTag } from '../../core/output-tag.ts';
import type {
  Boundedness,
  Source,
  SourceReader,
  SourceReaderContext,
  SplitEnumerator,
  SplitEnumeratorContext,
} from '../../core/source.ts';
import { QueueSplitEnumerator } from '../common/queue-split-enumerator.ts';
import { CsvFormat } from './csv-format.ts';
import type { CsvOptions } from './csv-format.ts';
import { CsvFileReader } from './csv-reader.ts';
import type { CsvRow, CsvSchema } from './csv-schema.ts';
import { discoverFileSplits } from './file-split.ts';
import type { FileSplit } from './file-split.ts';
import { MALFORMED_ROWS } from './malformed-row.ts';
import type { MalformedRow } from './malformed-row.ts';

/**
 * A bounded source of typed rows from CSV files (plain or gzip), as Flink's
 * `FileSource.forRecordStreamFormat(new CsvReaderFormat(...), path)`.
 *
 * Building it does no I/O (job modules must build deterministically in every worker): the
 * enumerator lists the input when the job starts, one split per file.
 */
export class CsvFileSource<S extends CsvSchema> implements Source<CsvRow<S>, FileSplit> {
  readonly path: string;
  readonly format: CsvFormat;

  constructor(path: string, schema: S, options: CsvOptions = {}) {
    this.path = path;
    this.format = new CsvFormat(schema, options);
  }

  getBoundedness(): Boundedness {
    return 'BOUNDED';
  }

  createEnumerator(context: SplitEnumeratorContext<FileSplit>, restored?: readonly FileSplit[]): SplitEnumerator<FileSplit> {
    return new QueueSplitEnumerator(context, { discover: () => discoverFileSplits(this.path), ...(restored !== undefined ? { restored } : {}) });
  }

  /** Continues with the files not yet assigned at the checkpoint (no new listing). */
  restoreEnumerator(context: SplitEnumeratorContext<FileSplit>, checkpoint: unknown): SplitEnumerator<FileSplit> {
    return this.createEnumerator(context, checkpoint as FileSplit[] | undefined);
  }

  createReader(context: SourceReaderContext): SourceReader<CsvRow<S>, FileSplit> {
    return new CsvFileReader<CsvRow<S>>(this.format, context);
  }

  toString(): string {
    return `CSV file ${this.path}`;
  }
}

/** Entry points of the file sources, with Flink's name. */
export class FileSource {
  /** The side output of rows a source configured with `onMalformed: 'side-output'` could not read. */
  static readonly MALFORMED_ROWS: OutputTag<MalformedRow> = MALFORMED_ROWS;

  /**
   * Reads CSV rows typed by `schema` from `path`: a file, or every file directly in a
   * directory (sorted by name; names starting with `.` or `_` skipped). Gzip files are
   * recognised by their magic bytes and decompressed on the fly.
   *
   * ```ts
   * FileSource.forCsv('flights.csv.gz', { origin: CsvTypes.string(), dep_delay: CsvTypes.number().nullable() })
   * ```
   * @throws RivuletError(INVALID_ARGUMENT) for a bad schema or options (no I/O happens here).
   */
  static forCsv<S extends CsvSchema>(path: string, schema: S, options: CsvOptions = {}): CsvFileSource<S> {
    return new CsvFileSource(path, schema, options);
  }

  /**
   * Lists the splits `path` would be read as, for an eager check before a job is submitted.
   * @throws RivuletError(INPUT_NOT_FOUND) naming the path when it is missing or unreadable.
   */
  static discoverSplits(path: string): Promise<FileSplit[]> {
    return discoverFileSplits(path);
  }
}
