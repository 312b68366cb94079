/**
 * How `env.execute()` reaches a runtime without the api importing it (the layer rule):
 * whoever starts the program — the package entry, the CLI, a worker thread — registers a
 * {@link PipelineExecutor} and sets the defaults the environment starts from, as Flink's
 * PipelineExecutorServiceLoader and the CLI's configuration do.
 */
import type { SavepointRestoreSettings } from '../core/checkpoint.ts';
import type { JobExecutionResult, JobListener } from '../core/job.ts';
import type { JobGraph } from '../graph/job-graph.ts';
import type { StreamGraph } from '../graph/stream-graph.ts';

export interface PipelineExecutor {
  /** Runs the job to completion (bounded) or until cancelled. */
  execute(streamGraph: StreamGraph, jobGraph: JobGraph, listeners: readonly JobListener[]): Promise<JobExecutionResult>;
}

/** What the CLI (or a worker) tells environments created by the job module. */
export interface EnvironmentDefaults {
  /** `rivulet run -p N`; environments start with this parallelism. */
  parallelism?: number;
  /** `rivulet info`: execute() only captures the plan and throws {@link PlanCaptured}. */
  planOnly?: boolean;
  /** Listeners attached to every execution (the CLI's progress display). */
  listeners?: readonly JobListener[];
  /** Jobs start from this checkpoint or savepoint (`rivulet run --from-savepoint`). */
  savepointRestore?: SavepointRestoreSettings;
}

let executor: PipelineExecutor | undefined;
let defaults: EnvironmentDefaults = {};

export function registerPipelineExecutor(e: PipelineExecutor): void {
  executor = e;
}

export function getPipelineExecutor(): PipelineExecutor | undefined {
  return executor;
}

export function setEnvironmentDefaults(d: EnvironmentDefaults): void {
  defaults = d;
}

export function getEnvironmentDefaults(): EnvironmentDefaults {
  return defaults;
}

/** Thrown by execute() in plan-only mode to hand the plan to `rivulet info`. */
export class PlanCaptured extends Error {
  readonly plan: string;
  constructor(plan: string) {
    super('execution plan captured (plan-only mode)');
    this.plan = plan;
  }
}
