/**
 * The sink behind `executeAndCollect()`: keeps every record in this process. It works with
 * the in-process runtime only (the default when a job runs from a test); records written
 * in a worker thread would land in that thread's copy.
 */
import type { Sink, SinkWriter } from '../core/sink.ts';

export class CollectSink<T> implements Sink<T> {
  private readonly collected: T[] = [];

  createWriter(): SinkWriter<T> {
    const target = this.collected;
    return {
      write(value: T): void {
        target.push(value);
      },
      flush(): void {},
      close(): void {},
    };
  }

  results(): T[] {
    return this.collected.slice();
  }

  toString(): string {
    return 'Collect';
  }
}
