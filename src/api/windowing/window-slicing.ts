/**
 * Which windowed aggregations run on the SlicingWindowOperator (one accumulator update per
 * record, whatever size / slide) instead of the generic WindowOperator (one per window).
 * Slicing needs windows that tile time into aligned slices and fire exactly at their end:
 * keyed Sliding- and TumblingEventTimeWindows with the EventTimeTrigger and no evictor.
 * Only `aggregate` / `reduce` take this path: a full-window function (process/apply) must
 * see its records in arrival order, which per-slice lists would not keep.
 */
import type { OperatorSpec } from '../../graph/operator-spec.ts';
import { EventTimeTrigger } from './event-time-trigger.ts';
import { SlidingEventTimeWindows } from './sliding-event-time-windows.ts';
import { TumblingEventTimeWindows } from './tumbling-event-time-windows.ts';
import { ListAggregate } from './window-function-adapters.ts';

type WindowSpec = Extract<OperatorSpec, { kind: 'window' }>;

/**
 * `spec` as a 'slicedWindow' spec where the slicing operator gives the same results, else
 * `spec` (also when `enabled` is false).
 */
export function sliceWhenPossible(enabled: boolean, spec: WindowSpec): OperatorSpec {
  if (!enabled || spec.aggregate instanceof ListAggregate) return spec;
  const a = spec.assigner as unknown;
  const geometry =
    a instanceof SlidingEventTimeWindows
      ? { size: a.size, slide: a.slide, offset: a.offset }
      : a instanceof TumblingEventTimeWindows
        ? { size: a.size, slide: a.size, offset: a.offset }
        : undefined;
  if (geometry === undefined || !(spec.trigger instanceof EventTimeTrigger) || spec.evictor !== undefined) return spec;
  // Slices are gcd(size, slide) long: whole milliseconds only.
  if (!Number.isSafeInteger(geometry.size) || !Number.isSafeInteger(geometry.slide) || !Number.isSafeInteger(geometry.offset)) return spec;
  return {
    kind: 'slicedWindow',
    keySelector: spec.keySelector,
    ...geometry,
    aggregate: spec.aggregate,
    windowFunction: spec.windowFunction,
    allowedLateness: spec.allowedLateness,
    lateDataTag: spec.lateDataTag,
  };
}
