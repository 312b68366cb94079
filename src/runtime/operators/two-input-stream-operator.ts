/**
 * The contract of operators with two inputs (connect, broadcast state, interval join); as
 * Flink's `TwoInputStreamOperator` + `BoundedMultiInput`. A TwoInputStreamTask drives it:
 * records of the first input go to {@link processElement1}, of the second to
 * {@link processElement2}; {@link processWatermark} receives the *combined* watermark — the
 * minimum over all channels of both inputs, delivered only when it advances — so an
 * operator never combines watermarks itself; {@link endInput} tells it that one input has
 * ended (each input once, in the order they end), before `finish()`.
 *
 * A two-input operator is always the head of its chain (never chained to an input), so the
 * one-input {@link processElement} is never called; it fails loudly if it is.
 */
import { RivuletError } from '../../core/errors.ts';
import { StreamOperator } from './stream-operator.ts';

export abstract class TwoInputStreamOperator extends StreamOperator {
  /** A record of the first input; `timestamp` is its event time (ms) or NO_TIMESTAMP. */
  abstract processElement1(value: unknown, timestamp: number): void;
  /** A record of the second input. */
  abstract processElement2(value: unknown, timestamp: number): void;

  /** Every channel of input `inputIndex` has ended; nothing more arrives on it. */
  endInput(_inputIndex: 1 | 2): void {}

  processElement(): void {
    throw new RivuletError('INTERNAL', `Two-input operator "${this.setupInfo.name}" got a record without input index: it must head its chain`, this.errorContext());
  }
}
