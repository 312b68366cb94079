/**
 * BroadcastConnectedStream<IN1, IN2>: a stream connected to a {@link BroadcastStream}
 * (`stream.connect(broadcastStream)`), to be processed with the broadcast state pattern; as
 * Flink's `BroadcastConnectedStream`. The first input keeps its partitioning (keyed or not),
 * the second reaches every subtask. On a keyed first input, `process` takes a
 * KeyedBroadcastProcessFunction (keyed state, timers, applyToKeyedState).
 */
import { BroadcastProcessFunction, KeyedBroadcastProcessFunction } from '../core/broadcast-functions.ts';
import { RivuletError } from '../core/errors.ts';
import type { KeySelector } from '../core/functions.ts';
import type { Key } from '../core/keys.ts';
import type { BroadcastStream } from './broadcast-stream.ts';
import type { DataStream } from './data-stream.ts';
import type { KeyedStream } from './keyed-stream.ts';

export class BroadcastConnectedStream<IN1, IN2> {
  /** @internal */ readonly first: DataStream<IN1>;
  /** @internal */ readonly broadcastStream: BroadcastStream<IN2>;

  /**
   * @internal use `stream.connect(broadcastStream)`.
   * @throws RivuletError(INVALID_GRAPH) for streams of different environments.
   */
  constructor(first: DataStream<IN1>, broadcastStream: BroadcastStream<IN2>) {
    if (first.env !== broadcastStream.env) throw new RivuletError('INVALID_GRAPH', 'connect() of streams from different environments');
    this.first = first;
    this.broadcastStream = broadcastStream;
  }

  getFirstInput(): DataStream<IN1> {
    return this.first;
  }

  getSecondInput(): BroadcastStream<IN2> {
    return this.broadcastStream;
  }

  /**
   * Processes the first input against read-only broadcast state and the broadcast input
   * with read-write broadcast state.
   * @throws TypeError when `fn` does not extend BroadcastProcessFunction.
   */
  process<R>(fn: BroadcastProcessFunction<IN1, IN2, R>): DataStream<R> {
    if (fn instanceof KeyedBroadcastProcessFunction) throw new TypeError('A KeyedBroadcastProcessFunction can only be used on a keyed stream: keyBy() before connect(broadcastStream).');
    if (!(fn instanceof BroadcastProcessFunction)) throw new TypeError('connect(broadcastStream).process() takes a BroadcastProcessFunction (a class extending BroadcastProcessFunction)');
    return this.first.transform<R>('Co-Process-Broadcast', { kind: 'broadcastProcess', fn, descriptors: this.broadcastStream.getBroadcastStateDescriptors() }, this.broadcastStream.inputs);
  }
}

/** A keyed stream connected to a broadcast stream; as Flink's BroadcastConnectedStream on a KeyedStream. */
export class KeyedBroadcastConnectedStream<IN1, K extends Key, IN2> extends BroadcastConnectedStream<IN1, IN2> {
  private readonly keySelector: KeySelector<IN1, K>;

  /** @internal use `keyedStream.connect(broadcastStream)`. */
  constructor(first: KeyedStream<IN1, K>, broadcastStream: BroadcastStream<IN2>) {
    super(first, broadcastStream);
    this.keySelector = first.keySelector;
  }

  /**
   * Processes the keyed input with keyed state and timers of its key and read-only
   * broadcast state, and the broadcast input with read-write broadcast state and
   * `applyToKeyedState`; or, with a BroadcastProcessFunction, without keyed state.
   * @throws TypeError when `fn` is neither.
   */
  override process<R>(fn: KeyedBroadcastProcessFunction<K, IN1, IN2, R>): DataStream<R>;
  override process<R>(fn: BroadcastProcessFunction<IN1, IN2, R>): DataStream<R>;
  override process<R>(fn: KeyedBroadcastProcessFunction<K, IN1, IN2, R> | BroadcastProcessFunction<IN1, IN2, R>): DataStream<R> {
    if (!(fn instanceof KeyedBroadcastProcessFunction)) return super.process(fn);
    return this.first.transform<R>(
      'Co-Process-Broadcast-Keyed',
      { kind: 'keyedBroadcastProcess', fn, keySelector: this.keySelector as KeySelector<any, Key>, descriptors: this.broadcastStream.getBroadcastStateDescriptors() },
      this.broadcastStream.inputs,
    );
  }
}
