/**
 * EvictingWindowOperator: a WindowOperator whose panes keep every record of the window
 * (with its timestamp) instead of an accumulator, so an Evictor can remove records before
 * and/or after the window function runs; as Flink's EvictingWindowOperator. The window
 * function sees the spec's AggregateFunction applied to the records left at firing time.
 * Triggers, merging, lateness and cleanup are the WindowOperator's; the panes differ
 * (window-panes.ts, EvictingPanes), and the WindowOperator picks them from the spec.
 */
import { RivuletError } from '../../core/errors.ts';
import type { WindowSpec } from './window-operator.ts';
import { WindowOperator } from './window-operator.ts';

export class EvictingWindowOperator extends WindowOperator {
  /** @throws RivuletError(INTERNAL) for a spec without an evictor. */
  constructor(spec: WindowSpec) {
    if (spec.evictor === undefined) throw new RivuletError('INTERNAL', 'EvictingWindowOperator without an evictor');
    super(spec);
  }
}
