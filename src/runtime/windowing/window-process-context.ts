/**
 * The context a window function runs in (ProcessWindowFunction.Context underneath); as
 * Flink's `WindowOperator.WindowContext`. One object serves every firing: the operator sets
 * `window` before each call; the key is the keyed state backend's current key.
 *
 * - `windowState()`: keyed state (every kind) of the current key and window (namespace = the window).
 *   Not available for merging windows, as Flink: a session's namespace changes when it
 *   merges. The user drops it in `ProcessWindowFunction.clear`, as in Flink.
 * - `globalState()`: keyed state of the current key, the same state
 *   `getRuntimeContext().getState()` returns (`user:<name>`, void namespace).
 * - `output(tag, value)`: a side output, with the window's maxTimestamp.
 */
import { RivuletError } from '../../core/errors.ts';
import type { KeyedStateStore, StateDescriptor } from '../../core/state.ts';
import type { Window } from '../../core/windowing.ts';
import type { InternalWindowContext } from '../../graph/window-function.ts';
import type { Output } from '../operators/stream-operator.ts';
import { DefaultKeyedStateStore } from '../state/default-keyed-state-store.ts';
import type { KeyedStateBackend } from '../state/keyed-state-backend.ts';
import { VOID_NAMESPACE } from '../state/keyed-state-backend.ts';
import type { InternalTimerService } from './internal-timer-service.ts';

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
    const ttlTimeProvider = (): number => options.timers().currentProcessingTime();
    const windowStore = new DefaultKeyedStateStore({ backend: options.backend, namespace: () => this.window.namespaceKey, ttlTimeProvider });
    const check = <D extends StateDescriptor>(d: D): D => {
      if (options.merging) {
        throw new RivuletError(
          'INVALID_GRAPH',
          `Per-window state ("${d.name}") is not allowed with merging (session) windows, as in Flink: a session's window changes when it merges. Use globalState() in ${options.describeOperator()}.`,
        );
      }
      return d;
    };
    this.perWindow = {
      getState: (d) => windowStore.getState(check(d)),
      getListState: (d) => windowStore.getListState(check(d)),
      getMapState: (d) => windowStore.getMapState(check(d)),
      getReducingState: (d) => windowStore.getReducingState(check(d)),
      getAggregatingState: (d) => windowStore.getAggregatingState(check(d)),
    };
    this.global = new DefaultKeyedStateStore({ backend: options.backend, namespace: () => VOID_NAMESPACE, ttlTimeProvider });
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
