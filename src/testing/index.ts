/**
 * Rivulet's test utilities (`rivulet/testing`): harnesses that run operators on virtual
 * time without a cluster, as Flink's `flink-streaming-java` test harnesses.
 */
export { OperatorTestHarness } from './operator-test-harness.ts';
export type { OperatorTestHarnessOptions } from './operator-test-harness.ts';
export { OperatorSubtaskState } from './operator-subtask-state.ts';
export { TwoInputOperatorTestHarness } from './two-input-operator-test-harness.ts';
export type { OutputElement, TimestampedRecord } from './collecting-output.ts';
export type { OutputEvent } from './collecting-output.ts';
export { SourceOperatorTestHarness } from './source-operator-test-harness.ts';
export type { SourceOperatorTestHarnessOptions } from './source-operator-test-harness.ts';
export { runJobsOnClock } from './virtual-time.ts';
export { ManualClock } from '../core/time.ts';
