/**
 * Backpressure: a slow sink must slow a fast source down so that the records in flight
 * between them stay bounded (credit-based flow control), instead of the source racing
 * ahead and buffering its whole output in memory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataGeneratorSource, StreamExecutionEnvironment } from '../../src/index.ts';
import type { Sink, SinkWriter } from '../../src/index.ts';
import { DEFAULT_CHANNEL_CAPACITY } from '../../src/runtime/network/channel.ts';
import { DEFAULT_BATCH_SIZE } from '../../src/runtime/network/record-writer.ts';

const TOTAL = 100_000;

class SlowSink implements Sink<number> {
  consumed = 0;
  maxInFlight = 0;
  private readonly generated: () => number;
  constructor(generated: () => number) {
    this.generated = generated;
  }
  createWriter(): SinkWriter<number> {
    return {
      write: () => {
        this.consumed++;
        this.maxInFlight = Math.max(this.maxInFlight, this.generated() - this.consumed);
        // ~2 µs of work per record: far slower than generating one.
        const until = performance.now() + 0.002;
        while (performance.now() < until) {
          /* busy */
        }
      },
      flush: () => {},
      close: () => {},
    };
  }
  toString(): string {
    return 'slow sink';
  }
}

void test('a slow sink bounds the records a fast source has in flight', async () => {
  let generated = 0;
  const sink = new SlowSink(() => generated);
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env
    .fromSource(
      new DataGeneratorSource((i) => {
        generated++;
        return i;
      }, TOTAL),
      undefined,
      'fast source',
    )
    .map((x) => x * 2)
    .rebalance()
    .sinkTo(sink);
  await env.execute('backpressure');
  assert.equal(sink.consumed, TOTAL, 'every record arrived');
  // In flight at most: the channel's credit worth of batches, one batch being filled, one
  // batch being processed, and one poll of the source (a few thousand records).
  const bound = (DEFAULT_CHANNEL_CAPACITY + 2) * DEFAULT_BATCH_SIZE + 8192;
  assert.ok(sink.maxInFlight <= bound, `max in flight ${sink.maxInFlight} > bound ${bound}`);
  assert.ok(sink.maxInFlight < TOTAL / 5, `source ran ahead: ${sink.maxInFlight} in flight`);
});
