import { RivuletError } from '../../core/errors.ts';
import type { SourceOutput, SourceReaderMetrics } from '../../core/source.ts';
import { KIND_BOOLEAN, KIND_INTEGER, KIND_NUMBER, KIND_STRING } from './csv-format.ts';
import type { CsvFormat } from './csv-format.ts';
import { MALFORMED_ROWS } from './malformed-row.ts';

/** What the parser emits to: a split's output (or any with these two methods). */
export type RowOutput<R> = Pick<SourceOutput<R>, 'collect' | 'collectSideOutput'>;

/** Where a parser reports errors from; filled into RivuletError contexts. */
export interface CsvErrorContext {
  readonly file: string;
  readonly operatorUid: string;
  readonly subtask: number;
}

/**
 * Turns the text of one CSV file (one split) into rows, a batch at a time.
 *
 * Text arrives in pieces (`append`) as the file is decompressed; `parse` consumes complete
 * records only and keeps the unfinished tail for the next piece, so a record may straddle
 * chunks. It is a data-path class: it keeps its position in fields, reuses one values array,
 * allocates nothing per field but the strings and the row it emits, and creates no closures.
 *
 * Two paths per record:
 * - fast: a line without a `"` is cut with `indexOf(delimiter)`; only fields the schema
 *   names are converted (numbers straight from char codes, no substring);
 * - slow: a record containing a quote is scanned character-wise per RFC 4180 (quoted
 *   delimiters, doubled quotes, line breaks inside quotes).
 *
 * Line numbers are physical lines, 1-based, the header being line 1. Blank lines are
 * skipped (they are counted as lines).
 */
export class CsvSplitParser<R> {
  // ---- configuration
  private readonly format: CsvFormat;
  private readonly errorContext: CsvErrorContext;
  private readonly metrics: SourceReaderMetrics;
  private readonly delimiter: string;
  private readonly delimiterCode: number;

  // ---- per-file column binding (set from the header, or up front without one)
  private fileColumns: readonly string[] = [];
  /** Per file field: the schema slot it fills, or -1. */
  private slotOfField: Int32Array = new Int32Array(0);
  private fieldCount = 0;
  private headerPending: boolean;

  // ---- parse position
  private text = '';
  private pos = 0;
  /** Position of the next `"` at or after `pos`; -1 when unknown, `Infinity` when none in `text`. */
  private nextQuote = -1;
  /** Physical lines consumed so far. */
  private line = 0;
  private textEnded = false;
  private finished = false;

  /** Converted values of the row being parsed, by slot (reused). */
  private readonly values: unknown[];

  constructor(format: CsvFormat, errorContext: CsvErrorContext, metrics: SourceReaderMetrics) {
    this.format = format;
    this.errorContext = errorContext;
    this.metrics = metrics;
    this.delimiter = format.delimiter;
    this.delimiterCode = format.delimiter.charCodeAt(0);
    this.values = new Array<unknown>(format.names.length).fill(null);
    this.headerPending = format.header;
    if (format.headerlessColumns !== undefined) this.bind(format.headerlessColumns);
  }

  /** True once the text ended and every record of it was parsed. */
  get done(): boolean {
    return this.finished;
  }

  /** Adds the next piece of the file's text. */
  append(piece: string): void {
    if (piece.length === 0) return;
    this.text = this.pos < this.text.length ? this.text.slice(this.pos) + piece : piece;
    this.pos = 0;
    this.nextQuote = -1;
  }

  /** No more text will come: a last record without a line break is complete. */
  endOfText(): void {
    this.textEnded = true;
  }

  /**
   * Parses up to `max` records from the text at hand; rows go to `output.collect`, bad rows
   * to the side output (or a thrown RivuletError). Returns the number of records consumed;
   * fewer than `max` means more text is needed (or the split is `done`).
   */
  parse(output: RowOutput<R>, max: number): number {
    let n = 0;
    while (n < max) {
      const text = this.text;
      const pos = this.pos;
      if (pos >= text.length) {
        if (this.textEnded) this.finished = true;
        return n;
      }
      let eol = text.indexOf('\n', pos);
      if (eol === -1) {
        if (!this.textEnded) return n;
        eol = text.length;
      }
      let quote = this.nextQuote;
      if (quote < pos) {
        quote = text.indexOf('"', pos);
        if (quote === -1) quote = Infinity;
        this.nextQuote = quote;
      }
      if (quote < eol || this.headerPending) {
        if (!this.parseScanned(output)) return n;
        n++;
        continue;
      }
      const end = eol > pos && text.charCodeAt(eol - 1) === 13 ? eol - 1 : eol;
      this.line++;
      this.pos = eol + 1;
      if (end === pos) continue; // blank line
      this.parseSimple(output, text, pos, end);
      n++;
    }
    return n;
  }

  /** Fast path: a record on one line, without quotes, in `text[start, end)`. */
  private parseSimple(output: RowOutput<R>, text: string, start: number, end: number): void {
    const slotOfField = this.slotOfField;
    const fieldCount = this.fieldCount;
    const values = this.values;
    const delimiter = this.delimiter;
    let field = 0;
    let from = start;
    for (;;) {
      let to = text.indexOf(delimiter, from);
      if (to === -1 || to > end) to = end;
      if (field < fieldCount) {
        const slot = slotOfField[field]!;
        if (slot !== -1) {
          const value = this.convert(slot, text, from, to);
          if (value === MALFORMED) {
            this.rejectField(output, text.slice(start, end), slot, text.slice(from, to));
            return;
          }
          values[slot] = value;
        }
      }
      field++;
      if (to === end) break;
      from = to + 1;
    }
    if (field !== fieldCount) {
      this.rejectFieldCount(output, text.slice(start, end), field);
      return;
    }
    output.collect(this.buildRow());
  }

  /**
   * Slow path: scans one record at `pos` quote-aware (also used for the header). Returns
   * false, consuming nothing, when the record is not complete in the text at hand.
   */
  private parseScanned(output: RowOutput<R>): boolean {
    const scan = scanRecord(this.text, this.pos, this.delimiterCode, this.textEnded);
    if (scan === undefined) return false;
    const recordText = this.text.slice(this.pos, scan.textEnd);
    this.pos = scan.next;
    this.line += 1 + scan.innerLineBreaks;
    const line = this.line - scan.innerLineBreaks;
    if (recordText.length === 0) return true; // blank line
    if (this.headerPending) {
      this.headerPending = false;
      this.bind(scan.fields);
      return true;
    }
    if (scan.unterminatedQuote) {
      this.reject(output, line, this.fileColumns[scan.fields.length - 1] ?? '', 'a quoted field has no closing quote', recordText);
      return true;
    }
    const fields = scan.fields;
    if (fields.length !== this.fieldCount) {
      this.rejectFieldCountAt(output, line, recordText, fields.length);
      return true;
    }
    const values = this.values;
    for (let field = 0; field < fields.length; field++) {
      const slot = this.slotOfField[field]!;
      if (slot === -1) continue;
      const raw = fields[field]!;
      const value = this.convert(slot, raw, 0, raw.length);
      if (value === MALFORMED) {
        this.reject(output, line, this.format.names[slot]!, describeBadValue(this.format.kinds[slot]!, raw), recordText);
        return true;
      }
      values[slot] = value;
    }
    output.collect(this.buildRow());
    return true;
  }

  private bind(columns: readonly string[]): void {
    this.fileColumns = columns;
    this.fieldCount = columns.length;
    this.slotOfField = this.format.bindColumns(columns, this.errorContext.file);
  }

  /** Converts `text[from, to)` for a slot; returns MALFORMED when the field does not fit its type. */
  private convert(slot: number, text: string, from: number, to: number): unknown {
    if (from === to) {
      if (this.format.nullable[slot] === 1) return null;
      return this.format.kinds[slot] === KIND_STRING ? '' : MALFORMED;
    }
    switch (this.format.kinds[slot]) {
      case KIND_STRING:
        return text.slice(from, to);
      case KIND_NUMBER:
        return this.toNumber(slot, text, from, to, false);
      case KIND_INTEGER:
        return this.toNumber(slot, text, from, to, true);
      case KIND_BOOLEAN:
        return toBoolean(text, from, to);
      default:
        return MALFORMED;
    }
  }

  private toNumber(slot: number, text: string, from: number, to: number, integer: boolean): unknown {
    let value = parseSimpleDecimal(text, from, to);
    if (Number.isNaN(value)) {
      // Exponents, long mantissas, `Infinity`, surrounding spaces: let the engine decide.
      const raw = text.slice(from, to);
      if (raw.trim().length === 0) return this.format.nullable[slot] === 1 ? null : MALFORMED;
      value = Number(raw);
      if (Number.isNaN(value)) return MALFORMED;
    }
    return integer && !Number.isInteger(value) ? MALFORMED : value;
  }

  /** Builds the row object; properties in schema order so all rows share one shape. */
  private buildRow(): R {
    return this.format.buildRow(this.values) as R;
  }

  // ---- bad rows (cold path)

  private rejectField(output: RowOutput<R>, recordText: string, slot: number, raw: string): void {
    // A shifted row often fails a conversion first; the field count is the clearer reason.
    const fields = countFields(recordText, this.delimiterCode);
    if (fields !== this.fieldCount) {
      this.rejectFieldCountAt(output, this.line, recordText, fields);
      return;
    }
    this.reject(output, this.line, this.format.names[slot]!, describeBadValue(this.format.kinds[slot]!, raw), recordText);
  }

  private rejectFieldCount(output: RowOutput<R>, recordText: string, fields: number): void {
    this.rejectFieldCountAt(output, this.line, recordText, fields);
  }

  private rejectFieldCountAt(output: RowOutput<R>, line: number, recordText: string, fields: number): void {
    const expected = this.fieldCount;
    const source = this.format.header ? 'the header has' : 'the configured columns are';
    if (fields < expected) {
      const column = this.fileColumns[fields] ?? '';
      this.reject(output, line, column, `the row has ${fields} fields but ${source} ${expected}, so "${column}" is missing`, recordText);
    } else {
      const column = this.fileColumns[expected - 1] ?? '';
      this.reject(output, line, column, `the row has ${fields} fields but ${source} ${expected} (extra fields after "${column}")`, recordText);
    }
  }

  private reject(output: RowOutput<R>, line: number, column: string, reason: string, recordText: string): void {
    const { file, operatorUid, subtask } = this.errorContext;
    if (this.format.onMalformed === 'side-output') {
      this.metrics.malformedRecords++;
      output.collectSideOutput(MALFORMED_ROWS, { file, line, column, reason, text: recordText });
      return;
    }
    throw new RivuletError(
      'MALFORMED_RECORD',
      `Malformed CSV row in ${file} at line ${line}, column "${column}": ${reason}. ` +
        `Row: ${truncate(recordText, 200)}. Fix the row, or configure onMalformed: 'side-output' ` +
        `to divert bad rows to the side output FileSource.MALFORMED_ROWS ("malformed-rows").`,
      { file, line, column, operatorUid, subtask },
    );
  }
}

/** Returned by conversions for a field that does not fit its type (never a row value). */
const MALFORMED: unique symbol = Symbol('malformed');

/** Exact powers of ten (up to 1e22 all doubles are exact, so m / 10^k rounds correctly). */
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * Parses `[-+]digits[.digits]` with at most 15 digits straight from char codes; NaN for
 * anything else (the caller then falls back to `Number()`). Within these bounds the
 * mantissa is an exact integer and `m / 10^k` is one correctly rounded division, so the
 * result equals `Number(text)` exactly.
 */
function parseSimpleDecimal(text: string, from: number, to: number): number {
  let i = from;
  let c = text.charCodeAt(i);
  const negative = c === 45;
  if (negative || c === 43) i++;
  let mantissa = 0;
  let digits = 0;
  let decimals = 0;
  let dot = false;
  for (; i < to; i++) {
    c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      if (dot) decimals++;
    } else if (c === 46 && !dot) {
      dot = true;
    } else {
      return NaN;
    }
  }
  if (digits === 0 || digits > 15) return NaN;
  const value = decimals === 0 ? mantissa : mantissa / POW10[decimals]!;
  return negative ? -value : value;
}

function toBoolean(text: string, from: number, to: number): unknown {
  const raw = text.slice(from, to).toLowerCase();
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  return MALFORMED;
}

function describeBadValue(kind: number, raw: string): string {
  if (raw.length === 0) return 'the field is empty but the column is not nullable (declare it with .nullable())';
  const shown = JSON.stringify(truncate(raw, 80));
  if (kind === KIND_BOOLEAN) return `${shown} is not a boolean (true/false/1/0)`;
  if (kind === KIND_INTEGER) return `${shown} is not an integer`;
  return `${shown} is not a number`;
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max)}...`;
}

/** Counts fields of a record's text, quote-aware. */
function countFields(recordText: string, delimiterCode: number): number {
  return scanRecord(recordText, 0, delimiterCode, true)?.fields.length ?? 0;
}

/** One record as found by {@link scanRecord}. */
interface ScannedRecord {
  readonly fields: string[];
  /** Where the next record starts (after the line break). */
  readonly next: number;
  /** End of the record's text, before its line break. */
  readonly textEnd: number;
  /** Line breaks inside quoted fields. */
  readonly innerLineBreaks: number;
  readonly unterminatedQuote: boolean;
}

/**
 * Reads one RFC-4180 record starting at `start`. Lenient as most readers: a quote inside an
 * unquoted field is literal, text after a closing quote is appended to the field. Returns
 * undefined when the record may continue past the end of `text` and more text can come.
 */
function scanRecord(text: string, start: number, delimiterCode: number, atEnd: boolean): ScannedRecord | undefined {
  const fields: string[] = [];
  const delimiter = String.fromCharCode(delimiterCode);
  let innerLineBreaks = 0;
  let i = start;
  for (;;) {
    let value = '';
    if (text.charCodeAt(i) === 34) {
      let j = i + 1;
      for (;;) {
        const q = text.indexOf('"', j);
        if (q === -1) {
          if (!atEnd) return undefined;
          const rest = text.slice(j);
          fields.push(value + rest);
          return { fields, next: text.length, textEnd: text.length, innerLineBreaks: innerLineBreaks + countLineBreaks(rest), unterminatedQuote: true };
        }
        const piece = text.slice(j, q);
        innerLineBreaks += countLineBreaks(piece);
        value += piece;
        if (text.charCodeAt(q + 1) === 34) {
          value += '"';
          j = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
    }
    let stop = text.indexOf(delimiter, i);
    const eol = text.indexOf('\n', i);
    if (stop === -1 || (eol !== -1 && eol < stop)) stop = eol;
    if (stop === -1) {
      if (!atEnd) return undefined;
      stop = text.length;
    }
    if (stop < text.length && text.charCodeAt(stop) === delimiterCode) {
      fields.push(value + text.slice(i, stop));
      i = stop + 1;
      continue;
    }
    // The record ends at a line break (or the end of the text); a CR before it is not content.
    const textEnd = stop > i && text.charCodeAt(stop - 1) === 13 ? stop - 1 : stop;
    fields.push(value + text.slice(i, textEnd));
    return { fields, next: stop + 1, textEnd, innerLineBreaks, unterminatedQuote: false };
  }
}

function countLineBreaks(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) n++;
  return n;
}
