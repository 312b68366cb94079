import { OutputTag } from '../../core/output-tag.ts';

/**
 * A CSV row that could not be read, as sent to the side output
 * {@link MALFORMED_ROWS} when a file source is configured with `onMalformed: 'side-output'`.
 */
export interface MalformedRow {
  /** The file the row came from, as the source was given it. */
  readonly file: string;
  /** 1-based line number of the row's first line (a header is line 1). */
  readonly line: number;
  /** The column at fault; for a wrong field count, the first missing or the last expected column. */
  readonly column: string;
  /** What is wrong, e.g. `"abc" is not a number`. */
  readonly reason: string;
  /** The row's text as it appears in the file (without its line break). */
  readonly text: string;
}

/** Where CSV sources divert rows they cannot read; as Flink, a side output named by a tag. */
export const MALFORMED_ROWS: OutputTag<MalformedRow> = new OutputTag<MalformedRow>('malformed-rows');

/** What a source does with a row it cannot read. */
export type OnMalformed = 'fail' | 'side-output';
