/**
 * Builds the worker bundle: the worker runtime and the job module (with Rivulet inlined)
 * in one ESM file. A worker then starts by loading one file (~30 ms) instead of type-
 * stripping and linking every runtime module (~120 ms), which is most of a short job's
 * parallel start-up.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const cache = new Map<string, Promise<string>>();

/** @returns the file URL of the bundle; built once per job module per process. */
export function workerBundleFor(jobModuleUrl: string): Promise<string> {
  let p = cache.get(jobModuleUrl);
  if (p === undefined) {
    p = buildWorkerBundle(jobModuleUrl);
    cache.set(jobModuleUrl, p);
  }
  return p;
}

async function buildWorkerBundle(jobModuleUrl: string): Promise<string> {
  const runWorker = fileURLToPath(new URL('./worker-main.ts', import.meta.url));
  const job = fileURLToPath(jobModuleUrl);
  const dir = join(tmpdir(), 'rivulet-artifacts');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `worker-${createHash('sha256').update(jobModuleUrl).digest('hex').slice(0, 16)}-${process.pid}.mjs`);
  await build({
    stdin: {
      contents: `import { runWorker } from ${JSON.stringify(runWorker)};\nrunWorker(() => import(${JSON.stringify(job)}));\n`,
      resolveDir: dir,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    outfile: out,
    sourcemap: 'inline',
    logLevel: 'silent',
    // Bundled CommonJS dependencies (msgpackr) may call require().
    banner: { js: "import { createRequire as __rivuletCreateRequire } from 'node:module'; const require = __rivuletCreateRequire(import.meta.url);" },
  });
  // The bundle lives as long as this process may start workers from it.
  process.once('exit', () => rmSync(out, { force: true }));
  return pathToFileURL(out).href;
}
