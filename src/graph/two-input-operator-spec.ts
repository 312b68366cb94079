/**
 * Declarative descriptions of the operators with two inputs (connect, broadcast state,
 * interval join); part of {@link OperatorSpec}. A two-input operator reads the edges with
 * `typeNumber` 1 (first input) and 2 (second input) and is never chained to its inputs.
 *
 * Keyed variants carry one key selector per input (records of both inputs with equal keys
 * meet in one subtask and share one keyed state backend); the keyed broadcast variant has
 * one, for its keyed input (the broadcast input has no key).
 */
import type { BroadcastProcessFunction, KeyedBroadcastProcessFunction } from '../core/broadcast-functions.ts';
import type { CoFlatMapFunction, CoMapFunction, CoProcessFunction, KeyedCoProcessFunction } from '../core/co-functions.ts';
import type { KeySelector } from '../core/functions.ts';
import type { ProcessJoinFunction } from '../core/join-functions.ts';
import type { Key } from '../core/keys.ts';
import type { OutputTag } from '../core/output-tag.ts';
import type { MapStateDescriptor } from '../core/state.ts';

type AnyKeySelector = KeySelector<any, Key>;

/** The key selector of each input, for operators on two keyed inputs. */
export interface TwoKeySelectors {
  readonly first: AnyKeySelector;
  readonly second: AnyKeySelector;
}

export type TwoInputOperatorSpec =
  /** `keySelectors` set when both inputs were keyed: the function may then use keyed state. */
  | { readonly kind: 'coMap'; readonly fn: CoMapFunction<any, any, any>; readonly keySelectors: TwoKeySelectors | undefined }
  | { readonly kind: 'coFlatMap'; readonly fn: CoFlatMapFunction<any, any, any>; readonly keySelectors: TwoKeySelectors | undefined }
  | { readonly kind: 'coProcess'; readonly fn: CoProcessFunction<any, any, any> }
  | { readonly kind: 'keyedCoProcess'; readonly fn: KeyedCoProcessFunction<any, any, any, any>; readonly keySelectors: TwoKeySelectors }
  | { readonly kind: 'broadcastProcess'; readonly fn: BroadcastProcessFunction<any, any, any>; readonly descriptors: readonly MapStateDescriptor<any, any>[] }
  | {
      readonly kind: 'keyedBroadcastProcess';
      readonly fn: KeyedBroadcastProcessFunction<any, any, any, any>;
      /** Of the first (keyed) input. */
      readonly keySelector: AnyKeySelector;
      readonly descriptors: readonly MapStateDescriptor<any, any>[];
    }
  | {
      readonly kind: 'intervalJoin';
      readonly fn: ProcessJoinFunction<any, any, any>;
      readonly keySelectors: TwoKeySelectors;
      /** ms; a right record b joins a left record a when a.ts + lowerBound <= b.ts <= a.ts + upperBound. */
      readonly lowerBound: number;
      readonly upperBound: number;
      readonly lowerBoundInclusive: boolean;
      readonly upperBoundInclusive: boolean;
      readonly leftLateDataTag: OutputTag<any> | undefined;
      readonly rightLateDataTag: OutputTag<any> | undefined;
    };

export type TwoInputOperatorKind = TwoInputOperatorSpec['kind'];

const TWO_INPUT_KINDS: ReadonlySet<string> = new Set<TwoInputOperatorKind>([
  'coMap',
  'coFlatMap',
  'coProcess',
  'keyedCoProcess',
  'broadcastProcess',
  'keyedBroadcastProcess',
  'intervalJoin',
]);

/** True for operators that read two inputs (edges with typeNumber 1 and 2). */
export function isTwoInputOperator(spec: { readonly kind: string }): spec is TwoInputOperatorSpec {
  return TWO_INPUT_KINDS.has(spec.kind);
}

/**
 * The key selector of each input of a two-input operator; undefined for an input that is
 * not keyed (both of a non-keyed operator, the broadcast input of a keyed broadcast one).
 */
export function twoInputKeySelectors(spec: TwoInputOperatorSpec): readonly [AnyKeySelector | undefined, AnyKeySelector | undefined] {
  switch (spec.kind) {
    case 'coMap':
    case 'coFlatMap':
      return [spec.keySelectors?.first, spec.keySelectors?.second];
    case 'keyedCoProcess':
    case 'intervalJoin':
      return [spec.keySelectors.first, spec.keySelectors.second];
    case 'keyedBroadcastProcess':
      return [spec.keySelector, undefined];
    case 'coProcess':
    case 'broadcastProcess':
      return [undefined, undefined];
  }
}
