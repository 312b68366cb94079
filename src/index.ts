/**
 * Rivulet's public API: the DataStream API with Flink's names, the windowing vocabulary,
 * the connectors, and the local mini-cluster registered as the default executor.
 */
import { getPipelineExecutor, registerPipelineExecutor } from './api/execution-context.ts';
import { LocalExecutor } from './cluster/minicluster/local-executor.ts';

// A worker thread registers its graph-capturing executor before it loads the job module;
// only where nobody did is the local mini-cluster the executor.
if (getPipelineExecutor() === undefined) registerPipelineExecutor(new LocalExecutor());

export { StreamExecutionEnvironment, DEFAULT_MAX_PARALLELISM } from './api/stream-execution-environment.ts';
export { DataStream, DataStreamSink } from './api/data-stream.ts';
export { KeyedStream } from './api/keyed-stream.ts';
export type { NumericField } from './api/keyed-stream.ts';
export { WindowedStream } from './api/windowed-stream.ts';
export { WatermarkStrategy, BoundedOutOfOrdernessWatermarks } from './api/watermark-strategy.ts';
export { TumblingEventTimeWindows } from './api/windowing/tumbling-event-time-windows.ts';
export { EventTimeTrigger } from './api/windowing/event-time-trigger.ts';
export { ProcessWindowFunction } from './api/functions/process-window-function.ts';
export type { WindowFunction } from './api/functions/process-window-function.ts';
export { ParameterTool } from './api/parameter-tool.ts';
export { ExecutionConfig } from './api/execution-config.ts';

export { Duration, MAX_WATERMARK, MIN_WATERMARK, NO_TIMESTAMP, SystemClock } from './core/time.ts';
export type { Clock } from './core/time.ts';
export { RivuletError, ErrorCodes } from './core/errors.ts';
export type { ErrorCode, ErrorContext } from './core/errors.ts';
export {
  RichFunction,
  RichMapFunction,
  RichFilterFunction,
  RichFlatMapFunction,
  ProcessFunction,
  KeyedProcessFunction,
} from './core/functions.ts';
export type {
  AggregateFunction,
  Collector,
  FilterFunction,
  FlatMapFunction,
  KeySelector,
  MapFunction,
  OpenContext,
  ReduceFunction,
  TimeDomain,
  TimerService,
} from './core/functions.ts';
export type { Key, PrimitiveKey } from './core/keys.ts';
export { OutputTag } from './core/output-tag.ts';
export { ValueStateDescriptor } from './core/state.ts';
export type { Counter, ValueState } from './core/state.ts';
export type { RuntimeContext } from './core/runtime-context.ts';
export { JobExecutionResult } from './core/job.ts';
export type { JobListener, JobMetricsSnapshot, OperatorMetrics } from './core/job.ts';
export { TimeWindow, GlobalWindow, TriggerResult } from './core/windowing.ts';
export type { Trigger, TriggerContext, Window, WindowAssigner } from './core/windowing.ts';
export type { WatermarkGenerator, WatermarkOutput, TimestampAssigner } from './core/watermark.ts';
export { InputStatus } from './core/source.ts';
export type { Boundedness, ReaderOutput } from './core/source.ts';
export type { Source, SourceReader, SourceSplit, SplitEnumerator } from './core/source.ts';
export type { Sink, SinkWriter } from './core/sink.ts';

export * from './connectors/index.ts';
