/**
 * The timers a keyed user function sees (KeyedProcessFunction, KeyedCoProcessFunction,
 * KeyedBroadcastProcessFunction): per key, in no window, so every timer lives in the one
 * VOID namespace of the operator's InternalTimerService. Shared so the three operators
 * expose the same TimerService built the same way.
 */
import type { TimerService } from '../../core/functions.ts';
import type { InternalTimerService } from '../windowing/internal-timer-service.ts';

/** The namespace of timers that belong to no window. */
export const VOID = { namespaceKey: '' } as const;
export type Void = typeof VOID;

/**
 * A TimerService for the current key over `timers()`: read lazily because operators create
 * their timer service in open(), after the context objects were built.
 */
export function keyedUserTimerService(timers: () => InternalTimerService<Void>): TimerService {
  return {
    currentProcessingTime: () => timers().currentProcessingTime(),
    currentWatermark: () => timers().getCurrentWatermark(),
    registerEventTimeTimer: (t) => timers().registerEventTimeTimer(VOID, t),
    registerProcessingTimeTimer: (t) => timers().registerProcessingTimeTimer(VOID, t),
    deleteEventTimeTimer: (t) => timers().deleteEventTimeTimer(VOID, t),
    deleteProcessingTimeTimer: (t) => timers().deleteProcessingTimeTimer(VOID, t),
  };
}
