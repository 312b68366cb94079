/**
 * Typed CSV schemas: what a user declares to read a CSV file as typed rows.
 *
 * ```ts
 * const schema = { dep_epoch: CsvTypes.number().nullable(), origin: CsvTypes.string() };
 * type Flight = CsvRow<typeof schema>; // { dep_epoch: number | null; origin: string }
 * ```
 *
 * A schema names only the columns a job needs; the other columns of the file are skipped
 * without being converted (the parser never even slices them out of the line).
 *
 * Empty fields: a nullable column reads an empty field as `null`. A non-nullable `string`
 * column reads it as `''`; a non-nullable `number`, `integer` or `boolean` column rejects
 * it as a malformed record.
 */

/** The conversions the parser knows; a closed set so the hot path can switch on it. */
export type CsvKind = 'string' | 'number' | 'integer' | 'boolean';

/** The declared type of one CSV column; `T` is the TypeScript type of its values. */
export class CsvColumnType<T> {
  /** Carries `T` for inference only; never set. */
  declare readonly __value?: T;
  readonly kind: CsvKind;
  readonly isNullable: boolean;

  constructor(kind: CsvKind, isNullable: boolean) {
    this.kind = kind;
    this.isNullable = isNullable;
  }

  /** The same type, reading an empty field as `null`. */
  nullable(): CsvColumnType<T | null> {
    return new CsvColumnType<T | null>(this.kind, true);
  }

  toString(): string {
    return this.isNullable ? `${this.kind}?` : this.kind;
  }
}

/** The column types, as `CsvTypes.number().nullable()`. */
export const CsvTypes = {
  /** Text as it appears in the file (RFC-4180 quotes removed). */
  string: (): CsvColumnType<string> => new CsvColumnType<string>('string', false),
  /** A decimal number as JavaScript reads it (`12`, `-3.5`, `1e6`); anything else is malformed. */
  number: (): CsvColumnType<number> => new CsvColumnType<number>('number', false),
  /** A number that must be a whole number. */
  integer: (): CsvColumnType<number> => new CsvColumnType<number>('integer', false),
  /** `true` / `false` (any letter case) or `1` / `0`. */
  boolean: (): CsvColumnType<boolean> => new CsvColumnType<boolean>('boolean', false),
} as const;

/** A schema: column name -> type. Only the named columns are read. */
export type CsvSchema = Readonly<Record<string, CsvColumnType<unknown>>>;

/** The row type a schema reads, e.g. `{ dep_epoch: number | null; origin: string }`. */
export type CsvRow<S extends CsvSchema> = {
  -readonly [K in keyof S]: S[K] extends CsvColumnType<infer T> ? T : never;
};
