import type { Sink, SinkWriter, SinkWriterContext } from '../../core/sink.ts';
import { stringifyJson } from '../common/json.ts';

/** Options of {@link PrintSink}. */
export interface PrintSinkOptions {
  /** Printed before each line, as `identifier:2> record` (or `identifier> ` at parallelism 1). */
  readonly identifier?: string;
  /** Print to stderr instead of stdout. */
  readonly stderr?: boolean;
}

/** Lines buffered before a console write. */
const LINES_PER_WRITE = 100;
/** A partial buffer is written at most this long after its first line. */
const MAX_DELAY_MS = 100;

/**
 * Prints each record on its own line, as Flink's `PrintSink`: prefixed `<subtask+1>> `
 * when the sink runs in more than one subtask, and by the identifier if one is given.
 * Strings print as they are, other values as JSON (bigints as numbers).
 */
export class PrintSink<T> implements Sink<T> {
  private readonly options: PrintSinkOptions;

  constructor(options: PrintSinkOptions = {}) {
    this.options = options;
  }

  createWriter(context: SinkWriterContext): SinkWriter<T> {
    const stream = this.options.stderr === true ? process.stderr : process.stdout;
    return new PrintSinkWriter<T>(printPrefix(this.options.identifier, context), stream);
  }

  toString(): string {
    return `Print to ${this.options.stderr === true ? 'Std. Err' : 'Std. Out'}`;
  }
}

/** Flink's prefix rule (PrintSinkOutputWriter). */
function printPrefix(identifier: string | undefined, context: SinkWriterContext): string {
  const subtask = context.parallelism > 1 ? String(context.subtaskIndex + 1) : '';
  if (identifier !== undefined && identifier.length > 0) return subtask === '' ? `${identifier}> ` : `${identifier}:${subtask}> `;
  return subtask === '' ? '' : `${subtask}> `;
}

/**
 * Accumulates lines in a string and writes them in one console call per LINES_PER_WRITE
 * lines, on flush, or MAX_DELAY_MS after the first buffered line (so a slow stream still
 * prints promptly) — one `write` per record would dominate a fast job.
 */
class PrintSinkWriter<T> implements SinkWriter<T> {
  private readonly prefix: string;
  private readonly stream: NodeJS.WriteStream;
  private buffer = '';
  private lines = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.writeBuffer();
  };

  constructor(prefix: string, stream: NodeJS.WriteStream) {
    this.prefix = prefix;
    this.stream = stream;
  }

  write(value: T): void {
    this.buffer += this.prefix + (typeof value === 'string' ? value : stringifyJson(value)) + '\n';
    if (++this.lines >= LINES_PER_WRITE) {
      this.writeBuffer();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(this.onTimer, MAX_DELAY_MS);
      this.timer.unref();
    }
  }

  flush(): void {
    this.writeBuffer();
  }

  close(): void {
    this.writeBuffer();
  }

  private writeBuffer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.buffer.length === 0) return;
    const text = this.buffer;
    this.buffer = '';
    this.lines = 0;
    this.stream.write(text);
  }
}
