import type { Sink, SinkWriter } from '../../core/sink.ts';

/** The one writer of every DiscardingSink subtask: it keeps nothing, so it can be shared. */
const DISCARDING_WRITER: SinkWriter<unknown> = {
  write(): void {},
  flush(): void {},
  close(): void {},
};

/**
 * Drops every record, as Flink's `DiscardingSink` (and the `blackhole` connector of Flink
 * SQL that the Nexmark queries write to): for benchmarks, which measure the job up to its
 * sink, and for jobs run for their side effects. The records still travel to the sink
 * operator, so everything before it runs and is counted.
 */
export class DiscardingSink<T> implements Sink<T> {
  createWriter(): SinkWriter<T> {
    return DISCARDING_WRITER;
  }

  toString(): string {
    return 'DiscardingSink';
  }
}
