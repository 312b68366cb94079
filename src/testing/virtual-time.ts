/**
 * Jobs on virtual processing time: while installed, every `env.execute()` (and
 * `executeAndCollect()`) of this process runs on a local mini-cluster whose tasks take
 * processing time from the given clock — periodic watermarks, `withIdleness` and
 * processing-time timers then move only when the test moves a {@link ManualClock}. As
 * Flink's `TestStreamEnvironment.setAsContext` with a MiniCluster. Such jobs run in this
 * thread at any parallelism (a clock cannot cross into worker threads).
 *
 * ```ts
 * const clock = new ManualClock();
 * const restore = runJobsOnClock(clock);
 * try {
 *   const done = env.execute();
 *   clock.advanceBy(200); // the sources' first periodic watermarks
 *   ...
 * } finally {
 *   restore();
 * }
 * ```
 */
import { getPipelineExecutor, registerPipelineExecutor } from '../api/execution-context.ts';
import { LocalExecutor } from '../cluster/minicluster/local-executor.ts';
import type { Clock } from '../core/time.ts';

/** Installs the executor; returns the function that puts the previous one back. */
export function runJobsOnClock(clock: Clock): () => void {
  const previous = getPipelineExecutor();
  registerPipelineExecutor(new LocalExecutor({ clock }));
  return () => {
    if (previous !== undefined) registerPipelineExecutor(previous);
  };
}
