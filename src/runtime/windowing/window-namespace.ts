/**
 * Rebuilds a window from its namespace key (`TimeWindow`: `start:end`, `GlobalWindow`:
 * `global`), for timers restored from a checkpoint: a timer stores only its namespace key.
 */
import { RivuletError } from '../../core/errors.ts';
import { GlobalWindow, TimeWindow } from '../../core/windowing.ts';
import type { Window } from '../../core/windowing.ts';

const TIME_WINDOW = /^(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?|-?Infinity):(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?|-?Infinity)$/;

/** @throws RivuletError(CHECKPOINT_FAILED) for a key of another kind of window (custom windows cannot be restored). */
export function windowOfNamespaceKey(namespaceKey: string): Window {
  if (namespaceKey === GlobalWindow.INSTANCE.namespaceKey) return GlobalWindow.INSTANCE;
  const m = TIME_WINDOW.exec(namespaceKey);
  if (m === null) {
    throw new RivuletError('CHECKPOINT_FAILED', `A restored window timer has namespace "${namespaceKey}", which is neither a TimeWindow nor the GlobalWindow: timers of custom window types cannot be restored.`);
  }
  return new TimeWindow(Number(m[1]), Number(m[2]));
}
