/**
 * CoStreamMap and CoStreamFlatMap: `connect(...).map(CoMapFunction)` / `.flatMap(...)`; as
 * Flink's operators of the same names. Records keep their timestamp. On keyed connected
 * streams the current key is set per record from that input's key selector, so a rich
 * function may use keyed state of the record's key.
 */
import type { CoFlatMapFunction, CoMapFunction } from '../../core/co-functions.ts';
import type { Collector } from '../../core/functions.ts';
import type { Key } from '../../core/keys.ts';
import type { TwoKeySelectors } from '../../graph/two-input-operator-spec.ts';
import type { KeyedStateBackend } from '../state/keyed-state-backend.ts';
import { TwoInputStreamOperator } from './two-input-stream-operator.ts';

/** Sets the backend's current key from the record's input, when the inputs are keyed. */
abstract class CoOperatorBase extends TwoInputStreamOperator {
  private readonly keySelectors: TwoKeySelectors | undefined;
  private backend: KeyedStateBackend | undefined;

  constructor(keySelectors: TwoKeySelectors | undefined) {
    super();
    this.keySelectors = keySelectors;
  }

  protected abstract userFunction(): unknown;

  override open(): void {
    this.backend = this.setupInfo.keyedStateBackend;
    this.openUserFunction(this.userFunction());
  }

  override close(): void {
    this.closeUserFunction(this.userFunction());
  }

  protected setKey1(value: unknown): void {
    if (this.keySelectors !== undefined) this.backend!.setCurrentKey((this.keySelectors.first as (v: unknown) => Key)(value));
  }

  protected setKey2(value: unknown): void {
    if (this.keySelectors !== undefined) this.backend!.setCurrentKey((this.keySelectors.second as (v: unknown) => Key)(value));
  }
}

export class CoStreamMap extends CoOperatorBase {
  private readonly fn: CoMapFunction<unknown, unknown, unknown>;

  constructor(fn: CoMapFunction<unknown, unknown, unknown>, keySelectors: TwoKeySelectors | undefined) {
    super(keySelectors);
    if (typeof fn?.map1 !== 'function' || typeof fn.map2 !== 'function') throw new TypeError('connect(...).map() takes a CoMapFunction: an object with map1(value) and map2(value)');
    this.fn = fn;
  }

  protected userFunction(): unknown {
    return this.fn;
  }

  processElement1(value: unknown, timestamp: number): void {
    let out: unknown;
    try {
      this.setKey1(value);
      out = this.fn.map1(value);
    } catch (e) {
      throw this.userFunctionError(e, value);
    }
    this.output.collect(out, timestamp);
  }

  processElement2(value: unknown, timestamp: number): void {
    let out: unknown;
    try {
      this.setKey2(value);
      out = this.fn.map2(value);
    } catch (e) {
      throw this.userFunctionError(e, value);
    }
    this.output.collect(out, timestamp);
  }
}

export class CoStreamFlatMap extends CoOperatorBase implements Collector<unknown> {
  private readonly fn: CoFlatMapFunction<unknown, unknown, unknown>;
  private currentTimestamp = 0;

  constructor(fn: CoFlatMapFunction<unknown, unknown, unknown>, keySelectors: TwoKeySelectors | undefined) {
    super(keySelectors);
    if (typeof fn?.flatMap1 !== 'function' || typeof fn.flatMap2 !== 'function') {
      throw new TypeError('connect(...).flatMap() takes a CoFlatMapFunction: an object with flatMap1(value, out) and flatMap2(value, out)');
    }
    this.fn = fn;
  }

  protected userFunction(): unknown {
    return this.fn;
  }

  collect(value: unknown): void {
    this.output.collect(value, this.currentTimestamp);
  }

  processElement1(value: unknown, timestamp: number): void {
    this.currentTimestamp = timestamp;
    try {
      this.setKey1(value);
      this.fn.flatMap1(value, this);
    } catch (e) {
      throw this.userFunctionError(e, value);
    }
  }

  processElement2(value: unknown, timestamp: number): void {
    this.currentTimestamp = timestamp;
    try {
      this.setKey2(value);
      this.fn.flatMap2(value, this);
    } catch (e) {
      throw this.userFunctionError(e, value);
    }
  }
}
