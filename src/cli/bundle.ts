/**
 * Bundles a job module into the job artifact (DESIGN.md §2): one ESM file that the client
 * and every slot's worker thread load to rebuild the same graph.
 *
 * Rivulet itself is NOT bundled: `rivulet`, `rivulet/testing` and any import of a file in
 * this package's `src/` stay imports of this package's own files, by absolute file URL.
 * The artifact therefore shares the CLI's module instances — the executor the CLI
 * registered and the defaults it set (parallelism, listeners, plan-only mode) are the ones
 * the job's environment sees. A bundled copy would have its own, empty, module state.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import type { BuildFailure, Message, Plugin } from 'esbuild';
import { CliError, EXIT_USAGE, displayPath } from './failure.ts';

/** This package's `src/` directory (absolute, with a trailing separator). */
export const RIVULET_SRC_DIR = fileURLToPath(new URL('../', import.meta.url));

/** The public entry points, as the job imports them. */
const ENTRY_POINTS: Readonly<Record<string, string>> = {
  rivulet: join(RIVULET_SRC_DIR, 'index.ts'),
  'rivulet/testing': join(RIVULET_SRC_DIR, 'testing', 'index.ts'),
};

/**
 * Lets bundled CommonJS dependencies of a job `require()` Node built-ins: esbuild's ESM
 * output calls a global `require` when there is one.
 */
const REQUIRE_SHIM = "import { createRequire as __rivuletJobCreateRequire } from 'node:module';\nconst require = __rivuletJobCreateRequire(import.meta.url);";

export interface JobArtifactFile {
  /** Absolute path of the bundled module. */
  readonly path: string;
  readonly url: string;
  /** Deletes the artifact's temporary directory (best effort). */
  dispose(): void;
}

/**
 * The specifier the artifact imports a Rivulet file by. On POSIX the absolute path: Node
 * resolves it (a path-absolute URL) and esbuild can still bundle it when the worker bundle
 * (cluster/minicluster/worker-bundle.ts) inlines the artifact; a Windows path needs a URL.
 */
function externalSpecifier(file: string): string {
  return process.platform === 'win32' ? pathToFileURL(file).href : file;
}

/** Resolves Rivulet's own modules to this package's files and leaves them external. */
export function rivuletExternalPlugin(): Plugin {
  return {
    name: 'rivulet-external',
    setup(b) {
      b.onResolve({ filter: /^rivulet(\/testing)?$/ }, (args) => ({ path: externalSpecifier(ENTRY_POINTS[args.path]!), external: true }));
      // A job inside this repository may import Rivulet by a relative path (`../../src/index.ts`).
      b.onResolve({ filter: /^\.\.?\// }, (args) => {
        const target = resolve(args.resolveDir, args.path);
        if (!target.startsWith(RIVULET_SRC_DIR)) return undefined;
        return { path: externalSpecifier(target), external: true };
      });
    },
  };
}

/**
 * Bundles `jobPath` into a fresh directory under `os.tmpdir()/rivulet-artifacts`.
 * @throws CliError(EXIT_USAGE) naming file:line:column and esbuild's message when the job
 *   does not compile (syntax error, unresolved import).
 */
export async function bundleJob(jobPath: string, cwd: string): Promise<JobArtifactFile> {
  const root = join(tmpdir(), 'rivulet-artifacts');
  mkdirSync(root, { recursive: true });
  const name = basename(jobPath, extname(jobPath)).replace(/[^A-Za-z0-9._-]/g, '_');
  const dir = mkdtempSync(join(root, `${name}-`));
  const outfile = join(dir, `${name}.mjs`);
  const dispose = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    await build({
      entryPoints: [jobPath],
      outfile,
      bundle: true,
      platform: 'node',
      target: 'node24',
      format: 'esm',
      // With process.setSourceMapsEnabled(true), stack frames name the job's own files.
      sourcemap: 'inline',
      banner: { js: REQUIRE_SHIM },
      logLevel: 'silent',
      absWorkingDir: cwd,
      plugins: [rivuletExternalPlugin()],
    });
  } catch (e) {
    dispose();
    if (isBuildFailure(e)) throw new CliError(formatCompileErrors(jobPath, e.errors, cwd), EXIT_USAGE);
    throw e;
  }
  return { path: outfile, url: pathToFileURL(outfile).href, dispose };
}

/**
 * `the job examples/x.ts does not compile:` then one line per error,
 * `examples/x.ts:12:7: Expected ";" but found "foo"` (columns 1-based, as editors count).
 */
export function formatCompileErrors(jobPath: string, errors: readonly Message[], cwd: string): string {
  const lines = errors.slice(0, 10).map((m) => {
    const where = m.location !== null ? `${displayPath(resolve(cwd, m.location.file), cwd)}:${m.location.line}:${m.location.column + 1}: ` : '';
    return `  ${where}${m.text}`;
  });
  if (errors.length > 10) lines.push(`  … and ${errors.length - 10} more errors`);
  return `the job ${displayPath(jobPath, cwd)} does not compile:\n${lines.join('\n')}`;
}

function isBuildFailure(e: unknown): e is BuildFailure {
  return e instanceof Error && Array.isArray((e as Partial<BuildFailure>).errors);
}
