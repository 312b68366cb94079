/**
 * The in-flight windows of one key of a merging (session) window operator, and for each the
 * *state window*: the window whose namespace holds its pane. As Flink's MergingWindowSet.
 *
 * When windows merge, their panes are folded into the pane of one of them (whose state
 * window the merged window inherits) instead of being moved to a namespace named after the
 * new, larger window: a session that grows record by record then never copies its pane.
 *
 * The mapping is keyed state ("merging-window-set", one entry per key, void namespace), so
 * it is checkpointed with the panes (issue #4). The operator loads it for the current key,
 * changes it, and persists it before it moves on to another key; the object itself is
 * reused across keys and holds nothing between records.
 */
import { RivuletError } from '../../core/errors.ts';
import type { MergingWindowAssigner, Window } from '../../core/windowing.ts';
import type { InternalKvState, KeyedStateBackend } from '../state/keyed-state-backend.ts';
import { VOID_NAMESPACE } from '../state/keyed-state-backend.ts';
import type { Serde } from '../../core/serde.ts';
import { windowMappingsSerde } from './window-state-serdes.ts';

/** One in-flight window and the window whose namespace holds its state. */
export type WindowMapping<W> = [window: W, stateWindow: W];

/**
 * Called when windows merge: `mergedWindows` (in-flight windows, never the newly added
 * one) become `mergeResult`, whose pane lives in `stateWindowResult`; the panes of
 * `mergedStateWindows` must be folded into it.
 */
export type MergeFunction<W> = (mergeResult: W, mergedWindows: readonly W[], stateWindowResult: W, mergedStateWindows: readonly W[]) => void;

function same(a: Window, b: Window): boolean {
  return a === b || a.namespaceKey === b.namespaceKey;
}

export class MergingWindowSet<W extends Window> {
  private readonly assigner: MergingWindowAssigner<unknown, W>;
  private readonly state: InternalKvState<WindowMapping<W>[]>;
  /** The mapping of the key loaded last; the stored array itself (changed in place). */
  private mapping: WindowMapping<W>[] = [];
  private dirty = false;
  // Reused by addWindow for the assigner's merge callback.
  private readonly mergeResults: [W, readonly W[]][] = [];
  private readonly collect = (toBeMerged: readonly W[], mergeResult: W): void => {
    this.mergeResults.push([mergeResult, toBeMerged.slice()]);
  };

  constructor(assigner: MergingWindowAssigner<unknown, W>, backend: KeyedStateBackend) {
    this.assigner = assigner;
    this.state = backend.getOrCreateKvState<WindowMapping<W>[]>('merging-window-set', { serde: windowMappingsSerde as unknown as Serde<WindowMapping<W>[]> });
  }

  /** Reads the in-flight windows of the backend's current key. */
  load(): void {
    this.state.setCurrentNamespace(VOID_NAMESPACE);
    this.mapping = this.state.get() ?? [];
    this.dirty = false;
  }

  /** Writes the in-flight windows of the current key back, if they changed. */
  persist(): void {
    if (!this.dirty) return;
    this.state.setCurrentNamespace(VOID_NAMESPACE);
    if (this.mapping.length === 0) this.state.clear();
    else this.state.put(this.mapping);
    this.dirty = false;
  }

  /** The window holding the pane of in-flight `window`, or undefined when it is not in flight. */
  getStateWindow(window: W): W | undefined {
    for (const m of this.mapping) if (same(m[0], window)) return m[1];
    return undefined;
  }

  /**
   * Removes `window` from the in-flight windows (its state was dropped).
   * @throws RivuletError(INTERNAL) when it is not in flight.
   */
  retireWindow(window: W): void {
    if (this.remove(window) === undefined) throw new RivuletError('INTERNAL', `Window ${String(window)} is not in the in-flight window set.`);
  }

  /**
   * Adds `newWindow`, merging it with in-flight windows as the assigner says, and returns
   * the window it ended up in (itself, or the merged window). `mergeFunction` is called for
   * each merge that changes an in-flight window; not when `newWindow` lies inside one.
   *
   * Unlike Flink, a new window equal to an in-flight one is treated as that window (Flink
   * would reset its state window and lose the pane; only possible with dynamic gaps).
   */
  addWindow(newWindow: W, mergeFunction: MergeFunction<W>): W {
    const alreadyInFlight = this.getStateWindow(newWindow) !== undefined;
    const windows = this.mapping.map((m) => m[0]);
    if (!alreadyInFlight) windows.push(newWindow);
    const results = this.mergeResults;
    results.length = 0;
    this.assigner.mergeWindows(windows, this.collect);

    let resultWindow = newWindow;
    let mergedNewWindow = false;
    for (const [mergeResult, group] of results) {
      if (group.some((w) => same(w, newWindow))) {
        mergedNewWindow = true;
        resultWindow = mergeResult;
      }
      // The in-flight windows of the group: the new window never had state of its own.
      const mergedWindows = alreadyInFlight ? group : group.filter((w) => !same(w, newWindow));
      const first = mergedWindows[0];
      if (first === undefined) continue;
      const stateWindow = this.getStateWindow(first)!;
      const mergedStateWindows: W[] = [];
      for (const w of mergedWindows) {
        const sw = this.remove(w);
        if (sw !== undefined && !same(sw, stateWindow)) mergedStateWindows.push(sw);
      }
      this.mapping.push([mergeResult, stateWindow]);
      this.dirty = true;
      // A new window inside an in-flight one changes nothing.
      if (!(mergedWindows.length === 1 && same(first, mergeResult))) mergeFunction(mergeResult, mergedWindows, stateWindow, mergedStateWindows);
    }
    results.length = 0;
    if (!mergedNewWindow && !alreadyInFlight) {
      this.mapping.push([newWindow, newWindow]);
      this.dirty = true;
    }
    return resultWindow;
  }

  /** The in-flight windows of the current key (for tests and debugging). */
  windows(): W[] {
    return this.mapping.map((m) => m[0]);
  }

  private remove(window: W): W | undefined {
    const i = this.mapping.findIndex((m) => same(m[0], window));
    if (i < 0) return undefined;
    const sw = this.mapping[i]![1];
    this.mapping.splice(i, 1);
    this.dirty = true;
    return sw;
  }
}
