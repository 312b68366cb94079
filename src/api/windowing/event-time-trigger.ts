/**
 * Fires once the watermark passes the end of the window; as Flink's `EventTimeTrigger`, the
 * default trigger of event-time window assigners. A record that arrives for a window whose
 * end the watermark already passed (allowed lateness) fires the window again at once.
 */
import type { OnMergeContext, Trigger, TriggerContext, TimeWindow } from '../../core/windowing.ts';
import { TriggerResult } from '../../core/windowing.ts';

export class EventTimeTrigger implements Trigger<unknown, TimeWindow> {
  private static readonly INSTANCE = new EventTimeTrigger();
  private constructor() {}

  static create(): EventTimeTrigger {
    return EventTimeTrigger.INSTANCE;
  }

  onElement(_element: unknown, _timestamp: number, window: TimeWindow, ctx: TriggerContext): TriggerResult {
    if (window.maxTimestamp() <= ctx.getCurrentWatermark()) return TriggerResult.FIRE;
    ctx.registerEventTimeTimer(window.maxTimestamp());
    return TriggerResult.CONTINUE;
  }

  onEventTime(time: number, window: TimeWindow): TriggerResult {
    return time === window.maxTimestamp() ? TriggerResult.FIRE : TriggerResult.CONTINUE;
  }

  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  canMerge(): boolean {
    return true;
  }

  /**
   * Registers the merged window's end, unless the watermark already passed it: then the
   * record that caused the merge fires it in onElement (a timer would fire it twice).
   */
  onMerge(window: TimeWindow, ctx: OnMergeContext): void {
    if (window.maxTimestamp() > ctx.getCurrentWatermark()) ctx.registerEventTimeTimer(window.maxTimestamp());
  }

  clear(window: TimeWindow, ctx: TriggerContext): void {
    ctx.deleteEventTimeTimer(window.maxTimestamp());
  }

  toString(): string {
    return 'EventTimeTrigger()';
  }
}
