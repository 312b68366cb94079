/**
 * Declarative descriptions of operators. The api builds these; the runtime turns each into
 * a running operator (runtime/operators/create-operator.ts). Keeping them as plain data with
 * user functions inside — not runtime classes — is what lets `runtime` never import `api`.
 */
import type { AggregateFunction, FilterFunction, FlatMapFunction, KeyedProcessFunction, KeySelector, MapFunction, ProcessFunction, ReduceFunction } from '../core/functions.ts';
import type { Key } from '../core/keys.ts';
import type { OutputTag } from '../core/output-tag.ts';
import type { Sink } from '../core/sink.ts';
import type { Source, SourceSplit } from '../core/source.ts';
import type { WatermarkStrategyContract } from '../core/watermark.ts';
import type { Evictor, Trigger, Window, WindowAssigner } from '../core/windowing.ts';
import type { TwoInputOperatorSpec } from './two-input-operator-spec.ts';
import type { InternalWindowFunction } from './window-function.ts';

type AnyKeySelector = KeySelector<any, Key>;

export type OperatorSpec =
  | { readonly kind: 'source'; readonly source: Source<any, SourceSplit>; readonly watermarkStrategy: WatermarkStrategyContract<any> | undefined }
  | { readonly kind: 'timestampsAndWatermarks'; readonly watermarkStrategy: WatermarkStrategyContract<any> }
  | { readonly kind: 'map'; readonly fn: MapFunction<any, any> }
  | { readonly kind: 'filter'; readonly fn: FilterFunction<any> }
  | { readonly kind: 'flatMap'; readonly fn: FlatMapFunction<any, any> }
  | { readonly kind: 'process'; readonly fn: ProcessFunction<any, any> }
  | { readonly kind: 'keyedProcess'; readonly fn: KeyedProcessFunction<any, any, any>; readonly keySelector: AnyKeySelector }
  | { readonly kind: 'keyedReduce'; readonly fn: ReduceFunction<any>; readonly keySelector: AnyKeySelector }
  | {
      readonly kind: 'window';
      readonly keySelector: AnyKeySelector;
      readonly assigner: WindowAssigner<any, Window>;
      readonly trigger: Trigger<any, Window>;
      readonly aggregate: AggregateFunction<any, any, any>;
      readonly windowFunction: InternalWindowFunction<any, any, Key, Window>;
      /** ms past the window end during which late records still update it. */
      readonly allowedLateness: number;
      readonly lateDataTag: OutputTag<any> | undefined;
      /** With an evictor the panes keep every record (EvictingWindowOperator). */
      readonly evictor?: Evictor<any, Window>;
    }
  | {
      /**
       * Keyed event-time sliding or tumbling windows with an AggregateFunction, the default
       * trigger and no evictor, evaluated through slices (SlicingWindowOperator): windows
       * are [start, start + size) with start ≡ offset (mod slide); tumbling has slide = size.
       */
      readonly kind: 'slicedWindow';
      readonly keySelector: AnyKeySelector;
      readonly size: number;
      readonly slide: number;
      readonly offset: number;
      readonly aggregate: AggregateFunction<any, any, any>;
      readonly windowFunction: InternalWindowFunction<any, any, Key, Window>;
      /** ms past the window end during which late records still update it. */
      readonly allowedLateness: number;
      readonly lateDataTag: OutputTag<any> | undefined;
    }
  | { readonly kind: 'sink'; readonly sink: Sink<any> }
  | TwoInputOperatorSpec;

export type OperatorKind = OperatorSpec['kind'];
