/**
 * One window per key that holds all its records; as Flink's `GlobalWindows`. The default
 * trigger never fires (NeverTrigger): use a custom trigger such as CountTrigger (that is
 * what `countWindow` does). The window never ends, so its state is never dropped by time;
 * purge it with the trigger (PurgingTrigger) or keep it bounded with an evictor.
 */
import type { Trigger, WindowAssigner } from '../../core/windowing.ts';
import { GlobalWindow } from '../../core/windowing.ts';
import { NeverTrigger } from './never-trigger.ts';

export class GlobalWindows implements WindowAssigner<unknown, GlobalWindow> {
  private static readonly INSTANCE = new GlobalWindows();
  private static readonly WINDOWS: readonly GlobalWindow[] = [GlobalWindow.INSTANCE];
  private constructor() {}

  static create(): GlobalWindows {
    return GlobalWindows.INSTANCE;
  }

  assignWindows(): readonly GlobalWindow[] {
    return GlobalWindows.WINDOWS;
  }

  getDefaultTrigger(): Trigger<unknown, GlobalWindow> {
    return NeverTrigger.create();
  }

  isEventTime(): boolean {
    return false;
  }

  toString(): string {
    return 'GlobalWindows()';
  }
}
