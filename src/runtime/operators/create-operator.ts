/** Turns an api-built OperatorSpec into the runtime operator that executes it. */
import { RichFunction } from '../../core/functions.ts';
import type { Key } from '../../core/keys.ts';
import type { OperatorSpec } from '../../graph/operator-spec.ts';
import { isTwoInputOperator, twoInputKeySelectors } from '../../graph/two-input-operator-spec.ts';
import type { TwoInputOperatorSpec } from '../../graph/two-input-operator-spec.ts';
import { SlicingWindowOperator } from '../windowing/slicing-window-operator.ts';
import { EvictingWindowOperator } from '../windowing/evicting-window-operator.ts';
import { WindowOperator } from '../windowing/window-operator.ts';
import { CoBroadcastWithKeyedOperator } from './co-broadcast-with-keyed-operator.ts';
import { CoBroadcastWithNonKeyedOperator } from './co-broadcast-with-non-keyed-operator.ts';
import { CoStreamFlatMap, CoStreamMap } from './co-map-operators.ts';
import { CoProcessOperator, KeyedCoProcessOperator } from './co-process-operators.ts';
import { IntervalJoinOperator } from './interval-join-operator.ts';
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
  /**
   * The subtask the operator runs in. Subtasks other than 0 get their own copy of a rich
   * user function (see {@link copyForSubtask}); undefined uses the program's instance.
   */
  readonly subtaskIndex?: number;
}

/**
 * A rich user function for one more parallel subtask. In Flink every subtask deserializes
 * its own instance, so the runtime context and what `open()` stores in fields (state
 * handles, counters) belong to that subtask. A worker thread rebuilds the program and has
 * its own instances, but the in-process runtime runs all subtasks on the program's objects:
 * sharing one would leave every subtask with the context of the last one opened. The copy
 * is shallow (same prototype, own fields copied), which is enough for fields set in
 * `open()`; a function using ES `#private` fields cannot be copied this way.
 */
function copyForSubtask<F>(fn: F): F {
  if (!(fn instanceof RichFunction)) return fn;
  return Object.assign(Object.create(Object.getPrototypeOf(fn) as object) as F & object, fn);
}

function specForSubtask(spec: OperatorSpec, subtaskIndex: number | undefined): OperatorSpec {
  if (subtaskIndex === undefined || subtaskIndex === 0) return spec;
  switch (spec.kind) {
    case 'map':
    case 'filter':
    case 'flatMap':
    case 'process':
    case 'keyedProcess':
    case 'coMap':
    case 'coFlatMap':
    case 'coProcess':
    case 'keyedCoProcess':
    case 'broadcastProcess':
    case 'keyedBroadcastProcess':
    case 'intervalJoin':
      return spec.fn instanceof RichFunction ? ({ ...spec, fn: copyForSubtask(spec.fn) } as OperatorSpec) : spec;
    case 'window':
    case 'slicedWindow': {
      const user = spec.windowFunction.userFunction;
      if (!(user instanceof RichFunction) || spec.windowFunction.withUserFunction === undefined) return spec;
      return { ...spec, windowFunction: spec.windowFunction.withUserFunction(copyForSubtask(user)) };
    }
    default:
      return spec;
  }
}

export function createOperator(programSpec: OperatorSpec, options: CreateOperatorOptions): StreamOperator {
  const spec = specForSubtask(programSpec, options.subtaskIndex);
  if (isTwoInputOperator(spec)) return createTwoInputOperator(spec);
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
      return spec.evictor === undefined ? new WindowOperator(spec) : new EvictingWindowOperator(spec);
    case 'slicedWindow':
      return new SlicingWindowOperator(spec);
    case 'sink':
      return new SinkOperator(spec.sink);
  }
}

function createTwoInputOperator(spec: TwoInputOperatorSpec): StreamOperator {
  switch (spec.kind) {
    case 'coMap':
      return new CoStreamMap(spec.fn, spec.keySelectors);
    case 'coFlatMap':
      return new CoStreamFlatMap(spec.fn, spec.keySelectors);
    case 'coProcess':
      return new CoProcessOperator(spec.fn);
    case 'keyedCoProcess':
      return new KeyedCoProcessOperator(spec.fn, spec.keySelectors);
    case 'broadcastProcess':
      return new CoBroadcastWithNonKeyedOperator(spec.fn, spec.descriptors);
    case 'keyedBroadcastProcess':
      return new CoBroadcastWithKeyedOperator(spec.fn, spec.keySelector as (v: unknown) => Key, spec.descriptors);
    case 'intervalJoin':
      return new IntervalJoinOperator(spec);
  }
}

/** Operators that read keyed state need a keyed state backend. */
export function isKeyedOperator(spec: OperatorSpec): boolean {
  if (isTwoInputOperator(spec)) return twoInputKeySelectors(spec)[0] !== undefined;
  return spec.kind === 'keyedProcess' || spec.kind === 'keyedReduce' || spec.kind === 'window' || spec.kind === 'slicedWindow';
}
