/** Hands records to a SinkWriter; flushes at end of input; as Flink's SinkWriterOperator. */
import type { Sink, SinkWriter } from '../../core/sink.ts';
import { asRivuletError } from '../../core/errors.ts';
import { StreamOperator } from './stream-operator.ts';

export class SinkOperator extends StreamOperator {
  private readonly sink: Sink<unknown>;
  private writer!: SinkWriter<unknown>;

  constructor(sink: Sink<unknown>) {
    super();
    this.sink = sink;
  }

  override open(): void {
    const s = this.setupInfo;
    this.writer = this.sink.createWriter({ subtaskIndex: s.subtaskIndex, parallelism: s.parallelism, operatorUid: s.uid });
  }

  processElement(value: unknown, timestamp: number): void {
    try {
      this.writer.write(value, timestamp);
    } catch (e) {
      throw this.userFunctionError(e, value);
    }
  }

  override async finish(): Promise<void> {
    try {
      await this.writer.flush(true);
    } catch (e) {
      throw asRivuletError(e, 'USER_FUNCTION_FAILED', `Sink "${this.setupInfo.name}" (uid ${this.uid}) failed to flush`, this.errorContext());
    }
  }

  override async close(): Promise<void> {
    await this.writer?.close();
  }
}
