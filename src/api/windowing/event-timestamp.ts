/** The check every event-time assigner makes: a record must carry a timestamp. */
import { RivuletError } from '../../core/errors.ts';
import { NO_TIMESTAMP } from '../../core/time.ts';

/**
 * @returns `timestamp` when the record has one.
 * @throws RivuletError(INVALID_TIMESTAMP) for NO_TIMESTAMP, naming the assigner.
 */
export function requireEventTimestamp(timestamp: number, assigner: { toString(): string }): number {
  if (timestamp === NO_TIMESTAMP) {
    throw new RivuletError(
      'INVALID_TIMESTAMP',
      `Record has no timestamp, but ${String(assigner)} assigns windows by event time. Event-time windows need a WatermarkStrategy with a timestamp assigner on the source (fromSource(source, strategy, name)) or assignTimestampsAndWatermarks(); or use a processing-time assigner.`,
    );
  }
  return timestamp;
}
