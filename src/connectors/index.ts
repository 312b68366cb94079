/** The connectors' public names (DESIGN.md §8). */
export { CollectionSource } from './collection/collection-source.ts';
export { DataGeneratorSource } from './datagen/datagen-source.ts';
export { RateLimiterStrategy } from './common/rate-limiter.ts';
export type { RateLimiter } from './common/rate-limiter.ts';
export type { IndexRangeSplit } from './common/index-range-split.ts';
export { CsvTypes, CsvColumnType } from './file/csv-schema.ts';
export type { CsvKind, CsvRow, CsvSchema } from './file/csv-schema.ts';
export type { CsvOptions } from './file/csv-format.ts';
export { CsvFileSource, FileSource } from './file/csv-source.ts';
export type { FileSplit } from './file/file-split.ts';
export type { MalformedRow, OnMalformed } from './file/malformed-row.ts';
export { FileSink } from './file/file-sink.ts';
export type { CsvSinkOptions } from './file/file-sink.ts';
export { PrintSink } from './print/print-sink.ts';
export type { PrintSinkOptions } from './print/print-sink.ts';
