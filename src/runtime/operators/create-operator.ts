/** Turns an api-built OperatorSpec into the runtime operator that executes it. */
import type { Key } from '../../core/keys.ts';
import type { OperatorSpec } from '../../graph/operator-spec.ts';
import { WindowOperator } from '../windowing/window-operator.ts';
import { KeyedReduceOperator } from './keyed-reduce-operator.ts';
import { StreamFilter, StreamFlatMap, StreamMap } from './map-operators.ts';
import { KeyedProcessOperator, ProcessOperator } from './process-operators.ts';
import { SinkOperator } from './sink-operator.ts';
import { SourceOperator } from './source-operator.ts';
import type { StreamOperator } from './stream-operator.ts';
import { TimestampsAndWatermarksOperator } from './timestamps-and-watermarks-operator.ts';

export interface CreateOperatorOptions {
  readonly autoWatermarkInterval: number;
  /** Sources ask the enumerator for splits through this. */
  readonly requestSplit: () => void;
}

export function createOperator(spec: OperatorSpec, options: CreateOperatorOptions): StreamOperator {
  switch (spec.kind) {
    case 'source':
      return new SourceOperator({
        source: spec.source,
        watermarkStrategy: spec.watermarkStrategy,
        autoWatermarkInterval: options.autoWatermarkInterval,
        requestSplit: options.requestSplit,
      });
    case 'timestampsAndWatermarks':
      return new TimestampsAndWatermarksOperator(spec.watermarkStrategy, options.autoWatermarkInterval);
    case 'map':
      return new StreamMap(spec.fn);
    case 'filter':
      return new StreamFilter(spec.fn);
    case 'flatMap':
      return new StreamFlatMap(spec.fn);
    case 'process':
      return new ProcessOperator(spec.fn);
    case 'keyedProcess':
      return new KeyedProcessOperator(spec.fn, spec.keySelector as (v: unknown) => Key);
    case 'keyedReduce':
      return new KeyedReduceOperator(spec.fn, spec.keySelector as (v: unknown) => Key);
    case 'window':
      return new WindowOperator(spec);
    case 'sink':
      return new SinkOperator(spec.sink);
  }
}

/** Operators that read keyed state need a keyed state backend. */
export function isKeyedOperator(spec: OperatorSpec): boolean {
  return spec.kind === 'keyedProcess' || spec.kind === 'keyedReduce' || spec.kind === 'window';
}
