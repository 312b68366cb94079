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
export { WatermarkStrategy, BoundedOutOfOrdernessWatermarks, WatermarksWithIdleness } from './api/watermark-strategy.ts';
export type { WatermarkGeneratorSupplier } from './api/watermark-strategy.ts';
export { TumblingEventTimeWindows } from './api/windowing/tumbling-event-time-windows.ts';
export { SlidingEventTimeWindows } from './api/windowing/sliding-event-time-windows.ts';
export { EventTimeTrigger } from './api/windowing/event-time-trigger.ts';
export { AllWindowedStream } from './api/all-windowed-stream.ts';
export { TumblingProcessingTimeWindows } from './api/windowing/tumbling-processing-time-windows.ts';
export { SlidingProcessingTimeWindows } from './api/windowing/sliding-processing-time-windows.ts';
export { EventTimeSessionWindows, DynamicEventTimeSessionWindows } from './api/windowing/event-time-session-windows.ts';
export type { SessionWindowTimeGapExtractor } from './api/windowing/event-time-session-windows.ts';
export { ProcessingTimeSessionWindows, DynamicProcessingTimeSessionWindows } from './api/windowing/processing-time-session-windows.ts';
export { GlobalWindows } from './api/windowing/global-windows.ts';
export { ProcessingTimeTrigger } from './api/windowing/processing-time-trigger.ts';
export { CountTrigger } from './api/windowing/count-trigger.ts';
export { PurgingTrigger } from './api/windowing/purging-trigger.ts';
export { ContinuousEventTimeTrigger } from './api/windowing/continuous-event-time-trigger.ts';
export { ContinuousProcessingTimeTrigger } from './api/windowing/continuous-processing-time-trigger.ts';
export { NeverTrigger } from './api/windowing/never-trigger.ts';
export { CountEvictor } from './api/windowing/count-evictor.ts';
export { TimeEvictor } from './api/windowing/time-evictor.ts';
export { DeltaEvictor } from './api/windowing/delta-evictor.ts';
export type { DeltaFunction } from './api/windowing/delta-evictor.ts';
export { ProcessWindowFunction } from './api/functions/process-window-function.ts';
export type { WindowFunction } from './api/functions/process-window-function.ts';
export { ProcessAllWindowFunction } from './api/functions/process-all-window-function.ts';
export type { AllWindowFunction } from './api/functions/process-all-window-function.ts';
export { ConnectedStreams, KeyedConnectedStreams } from './api/connected-streams.ts';
export { BroadcastStream } from './api/broadcast-stream.ts';
export { BroadcastConnectedStream, KeyedBroadcastConnectedStream } from './api/broadcast-connected-stream.ts';
export { CoGroupedStreams } from './api/co-grouped-streams.ts';
export type { TaggedUnion } from './api/co-grouped-streams.ts';
export { JoinedStreams } from './api/joined-streams.ts';
export { IntervalJoin, IntervalJoined } from './api/interval-join.ts';
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
export { CoProcessFunction, KeyedCoProcessFunction, RichCoFlatMapFunction, RichCoMapFunction } from './core/co-functions.ts';
export type { CoFlatMapFunction, CoMapFunction } from './core/co-functions.ts';
export { BroadcastProcessFunction, KeyedBroadcastProcessFunction } from './core/broadcast-functions.ts';
export type { BroadcastBaseContext, BroadcastContext, BroadcastReadOnlyContext } from './core/broadcast-functions.ts';
export type { BroadcastState, ReadOnlyBroadcastState } from './core/broadcast-state.ts';
export { ProcessJoinFunction } from './core/join-functions.ts';
export type { CoGroupFunction, FlatJoinFunction, JoinFunction } from './core/join-functions.ts';
export {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  StateDescriptor,
  ValueStateDescriptor,
} from './core/state.ts';
export type { AggregatingState, AppendingState, Counter, ListState, MapState, ReducingState, ValueState } from './core/state.ts';
export { StateTtlConfig, StateTtlConfigBuilder } from './core/state-ttl-config.ts';
export type { TtlCleanupStrategies } from './core/state-ttl-config.ts';
export { Serdes } from './core/serde.ts';
export type { Serde } from './core/serde.ts';
export { HashMapStateBackend, LmdbStateBackend } from './core/state-backend.ts';
export type { LmdbStateBackendOptions, StateBackend } from './core/state-backend.ts';
export { isCheckpointedFunction } from './core/operator-state.ts';
export type { CheckpointedFunction, FunctionInitializationContext, FunctionSnapshotContext, OperatorStateStore } from './core/operator-state.ts';
export type { RuntimeContext } from './core/runtime-context.ts';
export { JobExecutionResult } from './core/job.ts';
export { RestartStrategies } from './core/restart-strategy.ts';
export type { ExponentialDelayOptions, RestartStrategyConfig } from './core/restart-strategy.ts';
export type { JobListener, JobMetricsSnapshot, OperatorMetrics } from './core/job.ts';
export type { CompletedCheckpointStats, FailedCheckpointStats, RestoredCheckpointStats } from './core/job.ts';
export { CheckpointingMode, CheckpointFailureReason, ExternalizedCheckpointRetention } from './core/checkpoint.ts';
export type { CheckpointListener, SavepointRestoreSettings } from './core/checkpoint.ts';
export type { CheckpointStorage, CompletedCheckpointRef, StateHandle } from './core/checkpoint-storage.ts';
export { CheckpointConfig } from './api/checkpoint-config.ts';
export { FileSystemCheckpointStorage } from './runtime/checkpoint/file-system-checkpoint-storage.ts';
export { TimeWindow, GlobalWindow, TriggerResult, TimestampedValue } from './core/windowing.ts';
export type {
  EvictableElements,
  Evictor,
  EvictorContext,
  KeyedStateStore,
  MergeCallback,
  MergingWindowAssigner,
  OnMergeContext,
  Trigger,
  TriggerContext,
  Window,
  WindowAssigner,
  WindowAssignerContext,
} from './core/windowing.ts';
export type { WatermarkGenerator, WatermarkGeneratorContext, WatermarkOutput, WatermarkStatus, TimestampAssigner } from './core/watermark.ts';
export { InputStatus } from './core/source.ts';
export type { Boundedness, ReaderOutput, SourceOutput } from './core/source.ts';
export type { Source, SourceReader, SourceSplit, SplitEnumerator } from './core/source.ts';
export type { Sink, SinkWriter, SinkWriterContext } from './core/sink.ts';

export * from './connectors/index.ts';
