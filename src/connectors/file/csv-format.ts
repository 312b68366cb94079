import { RivuletError } from '../../core/errors.ts';
import type { CsvSchema } from './csv-schema.ts';
import type { OnMalformed } from './malformed-row.ts';

/** Options of `FileSource.forCsv`. */
export interface CsvOptions {
  /** The first line of each file names the columns (default true); columns are then found by name. */
  readonly header?: boolean;
  /**
   * Without a header: the file's columns in order (default: the schema's columns, in schema
   * order). Lets a schema pick a few columns of a wider headerless file.
   */
  readonly columns?: readonly string[];
  /** One character between fields (default `,`). */
  readonly delimiter?: string;
  /** A row that cannot be read fails the job (default) or goes to `FileSource.MALFORMED_ROWS`. */
  readonly onMalformed?: OnMalformed;
}

/** The conversion of a schema column, as a small integer the parser switches on. */
export const KIND_STRING = 0;
export const KIND_NUMBER = 1;
export const KIND_INTEGER = 2;
export const KIND_BOOLEAN = 3;

/**
 * A schema and its options, validated and laid out in arrays for the parser's hot path.
 * Immutable and shared by every split of a source; built without any I/O.
 */
export class CsvFormat {
  /** Schema column names, in schema order ("slots"). */
  readonly names: readonly string[];
  /** Per slot: KIND_*. */
  readonly kinds: Uint8Array;
  /** Per slot: 1 when an empty field reads as null. */
  readonly nullable: Uint8Array;
  readonly header: boolean;
  /** Without a header: the file's column names in order. */
  readonly headerlessColumns: readonly string[] | undefined;
  readonly delimiter: string;
  readonly onMalformed: OnMalformed;
  /** Builds a row object from values by slot; see {@link compileRowFactory}. */
  readonly buildRow: (values: readonly unknown[]) => unknown;

  constructor(schema: CsvSchema, options: CsvOptions) {
    const names = Object.keys(schema);
    if (names.length === 0) {
      throw new RivuletError('INVALID_ARGUMENT', 'A CSV schema must name at least one column, e.g. { origin: CsvTypes.string() }');
    }
    const delimiter = options.delimiter ?? ',';
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
      throw new RivuletError(
        'INVALID_ARGUMENT',
        `CSV delimiter must be one character other than a quote or a line break, got ${JSON.stringify(delimiter)}`,
      );
    }
    this.header = options.header ?? true;
    if (this.header && options.columns !== undefined) {
      throw new RivuletError('INVALID_ARGUMENT', 'CSV option `columns` names the columns of a file without a header; set `header: false` with it');
    }
    this.names = names;
    this.kinds = new Uint8Array(names.length);
    this.nullable = new Uint8Array(names.length);
    names.forEach((name, slot) => {
      const type = schema[name];
      if (type === undefined) return;
      this.kinds[slot] = KIND_CODES[type.kind];
      this.nullable[slot] = type.isNullable ? 1 : 0;
    });
    this.headerlessColumns = this.header ? undefined : (options.columns ?? names);
    if (this.headerlessColumns !== undefined) this.bindColumns(this.headerlessColumns, '');
    this.delimiter = delimiter;
    this.onMalformed = options.onMalformed ?? 'fail';
    this.buildRow = compileRowFactory(names);
  }

  /**
   * Maps the file's columns to schema slots: `result[fieldIndex]` is the slot that field
   * fills, or -1 for a column the schema skips.
   * @throws RivuletError(INVALID_ARGUMENT) naming the file and the first schema column the file lacks.
   */
  bindColumns(fileColumns: readonly string[], file: string): Int32Array {
    const slotOfField = new Int32Array(fileColumns.length).fill(-1);
    this.names.forEach((name, slot) => {
      const field = fileColumns.indexOf(name);
      if (field === -1 && this.header) {
        throw new RivuletError(
          'INVALID_ARGUMENT',
          `CSV file ${file} has no column "${name}" required by the schema; its header has ` +
            `${describeColumns(fileColumns)}. Fix the schema or the file.`,
          { file, column: name },
        );
      }
      if (field === -1) {
        throw new RivuletError(
          'INVALID_ARGUMENT',
          `The schema column "${name}" is not among the CSV columns ${describeColumns(fileColumns)}; ` +
            'without a header, list every column of the file in order in the option `columns`.',
          { column: name },
        );
      }
      slotOfField[field] = slot;
    });
    return slotOfField;
  }
}

/**
 * Compiles `(v) => ({ "col_a": v[0], "col_b": v[1] })` for the schema's columns. An object
 * literal is the fastest way V8 has to build an object with a fixed set of properties (one
 * pre-sized allocation, one hidden class for all rows); assigning the properties in a loop
 * is ~20% slower on the flights benchmark. Names are embedded as JSON string literals, so
 * any text is safe; `__proto__` is written as a computed key, which defines an own
 * property (a literal `__proto__:` key would set the prototype instead).
 */
function compileRowFactory(names: readonly string[]): (values: readonly unknown[]) => unknown {
  const properties = names.map((name, slot) => (name === '__proto__' ? `[${JSON.stringify(name)}]` : JSON.stringify(name)) + `: v[${slot}]`);
  return new Function('v', `return { ${properties.join(', ')} };`) as (values: readonly unknown[]) => unknown;
}

const KIND_CODES = { string: KIND_STRING, number: KIND_NUMBER, integer: KIND_INTEGER, boolean: KIND_BOOLEAN } as const;

function describeColumns(columns: readonly string[]): string {
  const shown = columns.slice(0, 30).map((c) => JSON.stringify(c));
  return columns.length > 30 ? `${shown.join(', ')}, ... (${columns.length} columns)` : shown.join(', ');
}
