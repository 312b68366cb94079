/**
 * The stateless record-at-a-time operators: map, filter, flatMap. Each calls its user
 * function inside try/catch (cheap in V8) so a failure names operator, subtask and record;
 * emitting happens outside the try so a downstream failure keeps its own context.
 */
import type { Collector, FilterFunction, FlatMapFunction, MapFunction } from '../../core/functions.ts';
import { RichFilterFunction, RichFlatMapFunction, RichMapFunction } from '../../core/functions.ts';
import { StreamOperator } from './stream-operator.ts';

export class StreamMap extends StreamOperator {
  private readonly fn: (value: unknown) => unknown;
  private readonly userFunction: MapFunction<unknown, unknown>;

  constructor(fn: MapFunction<unknown, unknown>) {
    super();
    this.userFunction = fn;
    this.fn = fn instanceof RichMapFunction ? (v) => fn.map(v) : fn;
  }

  override open(): void {
    this.openUserFunction(this.userFunction);
  }

  override close(): void {
    this.closeUserFunction(this.userFunction);
  }

  processElement(value: unknown, timestamp: number): void {
    let r: unknown;
    try {
      r = this.fn(value);
    } catch (e) {
      throw this.userFunctionError(e, value);
    }
    this.output.collect(r, timestamp);
  }
}

export class StreamFilter extends StreamOperator {
  private readonly fn: (value: unknown) => boolean;
  private readonly userFunction: FilterFunction<unknown>;

  constructor(fn: FilterFunction<unknown>) {
    super();
    this.userFunction = fn;
    this.fn = fn instanceof RichFilterFunction ? (v) => fn.filter(v) : fn;
  }

  override open(): void {
    this.openUserFunction(this.userFunction);
  }

  override close(): void {
    this.closeUserFunction(this.userFunction);
  }

  processElement(value: unknown, timestamp: number): void {
    let keep: boolean;
    try {
      keep = this.fn(value);
    } catch (e) {
      throw this.userFunctionError(e, value);
    }
    if (keep) this.output.collect(value, timestamp);
  }
}

export class StreamFlatMap extends StreamOperator implements Collector<unknown> {
  private readonly fn: (value: unknown, out: Collector<unknown>) => void;
  private readonly userFunction: FlatMapFunction<unknown, unknown>;
  private timestamp = 0;

  constructor(fn: FlatMapFunction<unknown, unknown>) {
    super();
    this.userFunction = fn;
    this.fn = fn instanceof RichFlatMapFunction ? (v, out) => fn.flatMap(v, out) : fn;
  }

  override open(): void {
    this.openUserFunction(this.userFunction);
  }

  override close(): void {
    this.closeUserFunction(this.userFunction);
  }

  /** The collector handed to the user function: this operator itself, no allocation. */
  collect(value: unknown): void {
    this.output.collect(value, this.timestamp);
  }

  processElement(value: unknown, timestamp: number): void {
    this.timestamp = timestamp;
    try {
      this.fn(value, this);
    } catch (e) {
      throw this.userFunctionError(e, value);
    }
  }
}
