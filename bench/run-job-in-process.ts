/**
 * Runs a job module in this process the way `rivulet run -p <p>` would (slot 0 on this
 * thread, worker threads for the others loading the same module), with its console output
 * silenced so the caller's last line stays the measurement. Resolves when the job ends.
 * Called again in the same process, it runs the job again (a module runs once per URL, so
 * each run imports it under a fresh query) on the slots the previous run released.
 */
import { pathToFileURL } from 'node:url';
import { setEnvironmentDefaults } from '../src/api/execution-context.ts';
import { setJobArtifact } from '../src/cluster/minicluster/local-executor.ts';
import '../src/index.ts';

let runs = 0;

export async function runJobInProcess(jobFile: string, args: readonly string[], parallelism: number): Promise<void> {
  const job = `${pathToFileURL(jobFile).href}${runs++ === 0 ? '' : `?run=${runs}`}`;
  process.argv = [process.argv[0]!, job, ...args];
  setEnvironmentDefaults({ parallelism });
  setJobArtifact({ jobModuleUrl: job, jobArgs: [...args], defaultParallelism: parallelism });
  const log = console.log;
  console.log = () => {};
  try {
    await import(job);
  } finally {
    console.log = log;
  }
}
