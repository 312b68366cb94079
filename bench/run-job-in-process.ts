/**
 * Runs a job module in this process the way `rivulet run -p <p>` would (slot 0 on this
 * thread, worker threads for the others loading the same module), with its console output
 * silenced so the caller's last line stays the measurement. Resolves when the job ends.
 */
import { pathToFileURL } from 'node:url';
import { setEnvironmentDefaults } from '../src/api/execution-context.ts';
import { setJobArtifact } from '../src/cluster/minicluster/local-executor.ts';
import '../src/index.ts';

export async function runJobInProcess(jobFile: string, args: readonly string[], parallelism: number): Promise<void> {
  const job = pathToFileURL(jobFile).href;
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
