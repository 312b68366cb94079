/**
 * The context a window function runs in (ProcessWindowFunction.Context underneath); as
 * Flink's `WindowOperator.WindowContext`. One object serves every firing: the operator sets
 * `window` before each call; the key is the keyed state backend's current key.
 *
 * - `windowState()`: keyed state of the current key and window (namespace = the window).
 *   Not available for merging windows, as Flink: a session's namespace changes when it
 *   merges. The user drops it in `ProcessWindowFunction.clear`, as in Flink.
 * - `globalState()`: keyed state of the current key, the same state
 *   `getRuntimeContext().getState()` returns (`user:<name>`, void namespace).
 * - `output(tag, value)`: a side output, with the window's maxTimestamp.
 */
import { RivuletError } from '../../core/errors.ts';
import type { ValueState, ValueStateDescriptor } from '../../core/state.ts';
import type { KeyedStateStore, Window } from '../../core/windowing.ts';
import type { InternalWindowContext } from '../../graph/window-function.ts';
import type { Output } from '../operators/stream-operator.ts';
import type { InternalKvState, KeyedStateBackend } from '../state/keyed-state-backend.ts';
import { VOID_NAMESPACE } from '../state/keyed-state-backend.ts';
import type { InternalTimerService } from './internal-timer-service.ts';

/** A ValueState of `kv` fixed to one namespace (the namespace is set on every access). */
export function valueStateIn<S>(kv: InternalKvState<S>, namespace: string, defaultValue: S | undefined): ValueState<S> {
  return {
    value(): S | undefined {
      kv.setCurrentNamespace(namespace);
      const v = kv.get();
      return v === undefined ? defaultValue : v;
    },
    update(value: S): void {
      kv.setCurrentNamespace(namespace);
      kv.put(value);
    },
    clear(): void {
      kv.setCurrentNamespace(namespace);
      kv.clear();
    },
  };
}

export interface WindowProcessContextOptions {
  readonly backend: KeyedStateBackend;
  readonly timers: () => InternalTimerService<Window>;
  readonly output: Output;
  /** Merging windows have no per-window state. */
  readonly merging: boolean;
  /** Names the operator in errors. */
  readonly describeOperator: () => string;
}

export class WindowProcessContext implements InternalWindowContext {
  /** The window being evaluated (or cleared). */
  window!: Window;
  private readonly options: WindowProcessContextOptions;
  private readonly perWindow: KeyedStateStore;
  private readonly global: KeyedStateStore;

  constructor(options: WindowProcessContextOptions) {
    this.options = options;
    const state = <S>(name: string): InternalKvState<S> => options.backend.getOrCreateKvState<S>(`user:${name}`);
    this.perWindow = {
      getState: <S>(d: ValueStateDescriptor<S>): ValueState<S> => {
        if (options.merging) {
          throw new RivuletError(
            'INVALID_GRAPH',
            `Per-window state ("${d.name}") is not allowed with merging (session) windows, as in Flink: a session's window changes when it merges. Use globalState() in ${options.describeOperator()}.`,
          );
        }
        return valueStateIn(state<S>(d.name), this.window.namespaceKey, d.defaultValue);
      },
    };
    this.global = { getState: <S>(d: ValueStateDescriptor<S>): ValueState<S> => valueStateIn(state<S>(d.name), VOID_NAMESPACE, d.defaultValue) };
  }

  currentWatermark(): number {
    return this.options.timers().getCurrentWatermark();
  }

  currentProcessingTime(): number {
    return this.options.timers().currentProcessingTime();
  }

  windowState(): KeyedStateStore {
    return this.perWindow;
  }

  globalState(): KeyedStateStore {
    return this.global;
  }

  output(tagId: string, value: unknown): void {
    this.options.output.collectSide(tagId, value, this.window.maxTimestamp());
  }
}
