/** Hand-made metrics snapshots and results for the formatting tests. */
import { JobExecutionResult } from 'rivulet';
import type { JobMetricsSnapshot, OperatorMetrics } from 'rivulet';

export function operator(o: Partial<OperatorMetrics> & Pick<OperatorMetrics, 'uid' | 'name'>): OperatorMetrics {
  return {
    vertexId: 1,
    parallelism: 1,
    recordsIn: 0,
    recordsOut: 0,
    lateRecordsDropped: 0,
    malformedRecords: 0,
    bytesRead: 0,
    bytesTotal: undefined,
    finishedSubtasks: 0,
    startTime: 1_000,
    endTime: undefined,
    ...o,
  };
}

export function snapshot(operators: OperatorMetrics[], elapsedMs: number, jobName = 'flights'): JobMetricsSnapshot {
  return { jobName, startTime: 1_000, now: 1_000 + elapsedMs, operators };
}

export function result(s: JobMetricsSnapshot, netRuntimeMs: number, accumulators: Record<string, number> = {}): JobExecutionResult {
  return new JobExecutionResult(s.jobName, netRuntimeMs, new Map(Object.entries(accumulators)), s);
}
