/** A trigger that never fires; the default trigger of GlobalWindows (Flink's `GlobalWindows.NeverTrigger`). */
import type { Trigger, Window } from '../../core/windowing.ts';
import { TriggerResult } from '../../core/windowing.ts';

export class NeverTrigger implements Trigger<unknown, Window> {
  private static readonly INSTANCE = new NeverTrigger();
  private constructor() {}

  static create(): NeverTrigger {
    return NeverTrigger.INSTANCE;
  }

  onElement(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  onEventTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  canMerge(): boolean {
    return true;
  }
  onMerge(): void {}
  clear(): void {}
  toString(): string {
    return 'NeverTrigger()';
  }
}
