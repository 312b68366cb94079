/**
 * Rivulet's test utilities (`rivulet/testing`): harnesses that run operators on virtual
 * time without a cluster, as Flink's `flink-streaming-java` test harnesses.
 */
export { OperatorTestHarness } from './operator-test-harness.ts';
export type { OperatorTestHarnessOptions } from './operator-test-harness.ts';
export type { OutputElement, TimestampedRecord } from './collecting-output.ts';
