/**
 * Adapters from the window functions users write (ProcessWindowFunction, WindowFunction
 * lambdas, their non-keyed `All` forms, ReduceFunction) to the runtime's one
 * InternalWindowFunction shape and AggregateFunction panes; as Flink's
 * `Internal*WindowFunction` and `ReduceApplyWindowFunction` family.
 *
 * Full-window functions (`process`, `apply`) aggregate with {@link ListAggregate}: the pane
 * is the list of the window's records, and {@link ListContentsWindowFunction} hands that
 * list (rather than a one-element iterable holding it) to the user's function.
 */
import { RivuletError } from '../../core/errors.ts';
import type { AggregateFunction, Collector, ReduceFunction } from '../../core/functions.ts';
import { RichFunction } from '../../core/functions.ts';
import type { Key } from '../../core/keys.ts';
import type { OutputTag } from '../../core/output-tag.ts';
import type { KeyedStateStore, Window } from '../../core/windowing.ts';
import type { InternalWindowContext, InternalWindowFunction } from '../../graph/window-function.ts';
import { ProcessAllWindowFunction } from '../functions/process-all-window-function.ts';
import type { AllWindowFunction } from '../functions/process-all-window-function.ts';
import { ProcessWindowFunction } from '../functions/process-window-function.ts';
import type { WindowFunction } from '../functions/process-window-function.ts';

type AnyInternalWindowFunction = InternalWindowFunction<unknown, unknown, Key, Window>;

/** Emits the aggregate as it is. */
export class PassThroughWindowFunction implements AnyInternalWindowFunction {
  readonly userFunction = undefined;
  process(_key: Key, _window: Window, _ctx: InternalWindowContext, input: Iterable<unknown>, out: Collector<unknown>): void {
    for (const v of input) out.collect(v);
  }
}

function unavailable(what: string): never {
  throw new RivuletError('INVALID_GRAPH', `ProcessWindowFunction.Context.${what}() is not available in this window operator.`);
}

/**
 * The ProcessWindowFunction.Context a user function sees: one object for all firings, reading
 * the window and the operator's context set before each call (no allocation per firing).
 */
class AdaptedContext implements ProcessWindowFunction.Context<Window> {
  current: Window | undefined;
  ctx: InternalWindowContext | undefined;

  window(): Window {
    return this.current!;
  }
  currentWatermark(): number {
    return this.ctx!.currentWatermark();
  }
  currentProcessingTime(): number {
    return this.ctx!.currentProcessingTime();
  }
  windowState(): KeyedStateStore {
    return this.ctx!.windowState?.() ?? unavailable('windowState');
  }
  globalState(): KeyedStateStore {
    return this.ctx!.globalState?.() ?? unavailable('globalState');
  }
  output<X>(tag: OutputTag<X>, value: X): void {
    const ctx = this.ctx!;
    if (ctx.output === undefined) unavailable('output');
    ctx.output(tag.id, value);
  }
}

/** Adapts a ProcessWindowFunction. */
class ProcessWindowFunctionAdapter implements AnyInternalWindowFunction {
  readonly userFunction: ProcessWindowFunction<unknown, unknown, Key, Window>;
  private readonly context = new AdaptedContext();

  constructor(fn: ProcessWindowFunction<unknown, unknown, Key, Window>) {
    this.userFunction = fn;
  }

  withUserFunction(fn: unknown): ProcessWindowFunctionAdapter {
    return new ProcessWindowFunctionAdapter(fn as ProcessWindowFunction<unknown, unknown, Key, Window>);
  }

  process(key: Key, window: Window, ctx: InternalWindowContext, input: Iterable<unknown>, out: Collector<unknown>): void {
    this.context.current = window;
    this.context.ctx = ctx;
    this.userFunction.process(key, this.context, input, out);
  }

  clear(_key: Key, window: Window, ctx: InternalWindowContext): void {
    this.context.current = window;
    this.context.ctx = ctx;
    this.userFunction.clear(this.context);
  }
}

/** Adapts a ProcessAllWindowFunction (windowAll): the key is dropped. */
class ProcessAllWindowFunctionAdapter implements AnyInternalWindowFunction {
  readonly userFunction: ProcessAllWindowFunction<unknown, unknown, Window>;
  private readonly context = new AdaptedContext();

  constructor(fn: ProcessAllWindowFunction<unknown, unknown, Window>) {
    this.userFunction = fn;
  }

  withUserFunction(fn: unknown): ProcessAllWindowFunctionAdapter {
    return new ProcessAllWindowFunctionAdapter(fn as ProcessAllWindowFunction<unknown, unknown, Window>);
  }

  process(_key: Key, window: Window, ctx: InternalWindowContext, input: Iterable<unknown>, out: Collector<unknown>): void {
    this.context.current = window;
    this.context.ctx = ctx;
    this.userFunction.process(this.context, input, out);
  }

  clear(_key: Key, window: Window, ctx: InternalWindowContext): void {
    this.context.current = window;
    this.context.ctx = ctx;
    this.userFunction.clear(this.context);
  }
}

class LambdaWindowFunctionAdapter implements AnyInternalWindowFunction {
  readonly userFunction = undefined;
  private readonly fn: WindowFunction<unknown, unknown, Key, Window>;
  constructor(fn: WindowFunction<unknown, unknown, Key, Window>) {
    this.fn = fn;
  }
  process(key: Key, window: Window, _ctx: InternalWindowContext, input: Iterable<unknown>, out: Collector<unknown>): void {
    this.fn(key, window, input, out);
  }
}

class LambdaAllWindowFunctionAdapter implements AnyInternalWindowFunction {
  readonly userFunction = undefined;
  private readonly fn: AllWindowFunction<unknown, unknown, Window>;
  constructor(fn: AllWindowFunction<unknown, unknown, Window>) {
    this.fn = fn;
  }
  process(_key: Key, window: Window, _ctx: InternalWindowContext, input: Iterable<unknown>, out: Collector<unknown>): void {
    this.fn(window, input, out);
  }
}

/** Hands the list in a ListAggregate pane to `inner` as the window's elements. */
export class ListContentsWindowFunction implements AnyInternalWindowFunction {
  private readonly inner: AnyInternalWindowFunction;

  constructor(inner: AnyInternalWindowFunction) {
    this.inner = inner;
  }

  get userFunction(): unknown {
    return this.inner.userFunction;
  }

  withUserFunction(fn: unknown): ListContentsWindowFunction {
    return this.inner.withUserFunction === undefined ? this : new ListContentsWindowFunction(this.inner.withUserFunction(fn));
  }

  process(key: Key, window: Window, ctx: InternalWindowContext, input: Iterable<unknown>, out: Collector<unknown>): void {
    for (const list of input) this.inner.process(key, window, ctx, list as Iterable<unknown>, out);
  }

  clear(key: Key, window: Window, ctx: InternalWindowContext): void {
    this.inner.clear?.(key, window, ctx);
  }
}

/**
 * A keyed window function as the runtime calls it (undefined: emit the aggregate itself).
 * @throws TypeError for a rich function that is not a ProcessWindowFunction.
 */
export function adaptWindowFunction<IN, OUT, K extends Key, W extends Window>(
  fn: ProcessWindowFunction<IN, OUT, K, W> | WindowFunction<IN, OUT, K, W> | undefined,
): AnyInternalWindowFunction {
  if (fn === undefined) return new PassThroughWindowFunction();
  if (fn instanceof ProcessWindowFunction) return new ProcessWindowFunctionAdapter(fn as unknown as ProcessWindowFunction<unknown, unknown, Key, Window>);
  if (fn instanceof RichFunction) throw new TypeError('A window function must be a ProcessWindowFunction or a function (key, window, elements, out) => void');
  return new LambdaWindowFunctionAdapter(fn as unknown as WindowFunction<unknown, unknown, Key, Window>);
}

/**
 * A non-keyed (windowAll) window function as the runtime calls it.
 * @throws TypeError for a rich function that is not a ProcessAllWindowFunction.
 */
export function adaptAllWindowFunction<IN, OUT, W extends Window>(
  fn: ProcessAllWindowFunction<IN, OUT, W> | AllWindowFunction<IN, OUT, W> | undefined,
): AnyInternalWindowFunction {
  if (fn === undefined) return new PassThroughWindowFunction();
  if (fn instanceof ProcessAllWindowFunction) return new ProcessAllWindowFunctionAdapter(fn as unknown as ProcessAllWindowFunction<unknown, unknown, Window>);
  if (fn instanceof RichFunction) throw new TypeError('An all-window function must be a ProcessAllWindowFunction or a function (window, elements, out) => void');
  return new LambdaAllWindowFunctionAdapter(fn as unknown as AllWindowFunction<unknown, unknown, Window>);
}

/** A ReduceFunction as an AggregateFunction whose accumulator is the reduced value. */
export class ReduceAggregate<T> implements AggregateFunction<T, { v: T | undefined; has: boolean }, T> {
  private readonly fn: ReduceFunction<T>;
  constructor(fn: ReduceFunction<T>) {
    this.fn = fn;
  }
  createAccumulator(): { v: T | undefined; has: boolean } {
    return { v: undefined, has: false };
  }
  add(value: T, acc: { v: T | undefined; has: boolean }): { v: T | undefined; has: boolean } {
    if (acc.has) {
      acc.v = this.fn(acc.v as T, value);
    } else {
      acc.v = value;
      acc.has = true;
    }
    return acc;
  }
  getResult(acc: { v: T | undefined; has: boolean }): T {
    return acc.v as T;
  }
  merge(a: { v: T | undefined; has: boolean }, b: { v: T | undefined; has: boolean }): { v: T | undefined; has: boolean } {
    if (!a.has) return b;
    if (!b.has) return a;
    return { v: this.fn(a.v as T, b.v as T), has: true };
  }
}

/**
 * The records of a window, in arrival order, as an AggregateFunction: the pane of a
 * full-window function (Flink's ListState). `merge` appends `b` to `a` (and returns `a`).
 */
export class ListAggregate<T> implements AggregateFunction<T, T[], T[]> {
  createAccumulator(): T[] {
    return [];
  }
  add(value: T, acc: T[]): T[] {
    acc.push(value);
    return acc;
  }
  getResult(acc: T[]): T[] {
    return acc;
  }
  merge(a: T[], b: T[]): T[] {
    for (const v of b) a.push(v);
    return a;
  }
}
