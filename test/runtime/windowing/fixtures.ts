/** Records and functions the windowing tests share. */
import type { AggregateFunction } from '../../../src/index.ts';
import type { Ev } from './tumbling-reference.ts';

export type { Ev } from './tumbling-reference.ts';

export const ev = (key: string, ts: number, v: number): Ev => ({ key, ts, v });

export const sumOfV: AggregateFunction<Ev, number, number> = {
  createAccumulator: () => 0,
  add: (e, acc) => acc + e.v,
  getResult: (acc) => acc,
  merge: (a, b) => a + b,
};

/** A window's result as the tests print it. */
export interface Fired {
  readonly key: string;
  readonly start: number;
  readonly end: number;
  readonly sum: number;
}
