/**
 * Fires once processing time reaches the end of the window; as Flink's
 * `ProcessingTimeTrigger`, the default trigger of processing-time window assigners.
 */
import type { OnMergeContext, TimeWindow, Trigger, TriggerContext } from '../../core/windowing.ts';
import { TriggerResult } from '../../core/windowing.ts';

export class ProcessingTimeTrigger implements Trigger<unknown, TimeWindow> {
  private static readonly INSTANCE = new ProcessingTimeTrigger();
  private constructor() {}

  static create(): ProcessingTimeTrigger {
    return ProcessingTimeTrigger.INSTANCE;
  }

  onElement(_element: unknown, _timestamp: number, window: TimeWindow, ctx: TriggerContext): TriggerResult {
    ctx.registerProcessingTimeTimer(window.maxTimestamp());
    return TriggerResult.CONTINUE;
  }

  onEventTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  onProcessingTime(): TriggerResult {
    return TriggerResult.FIRE;
  }

  canMerge(): boolean {
    return true;
  }

  onMerge(window: TimeWindow, ctx: OnMergeContext): void {
    if (window.maxTimestamp() > ctx.getCurrentProcessingTime()) ctx.registerProcessingTimeTimer(window.maxTimestamp());
  }

  clear(window: TimeWindow, ctx: TriggerContext): void {
    ctx.deleteProcessingTimeTimer(window.maxTimestamp());
  }

  toString(): string {
    return 'ProcessingTimeTrigger()';
  }
}
