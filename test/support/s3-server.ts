/**
 * A real S3-compatible server for tests: moto's S3 server (`python -m moto.server`), started
 * on 127.0.0.1 with a port the OS picks, in its own process group, and killed with that group.
 * `bash .ci/install-s3-server` installs it (CI does, in .ci/run).
 *
 * Which Python runs it: $RIVULET_S3_SERVER_PYTHON, else the venv that install script makes
 * ($RIVULET_S3_SERVER_VENV, default ~/.cache/rivulet/s3-server-venv), else `python3` when it
 * can import moto.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';

export interface S3TestServer {
  /** e.g. `http://127.0.0.1:40123` */
  readonly endpoint: string;
  /** A bucket created at start. */
  readonly bucket: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** A client on the server, for tests to look behind the storage's back. */
  readonly client: S3Client;
  /** Creates another bucket. */
  createBucket(name: string): Promise<void>;
  stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 30_000;

function findPython(): string {
  const explicit = process.env.RIVULET_S3_SERVER_PYTHON;
  if (explicit !== undefined && explicit !== '') return explicit;
  const venv = process.env.RIVULET_S3_SERVER_VENV ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'rivulet', 's3-server-venv');
  const venvPython = join(venv, 'bin', 'python');
  if (existsSync(venvPython)) return venvPython;
  const probe = spawnSync('python3', ['-c', 'import moto.server'], { stdio: 'ignore' });
  if (probe.status === 0) return 'python3';
  throw new Error(
    `The S3 tests need moto's S3 server and found none (no ${venvPython}, and python3 cannot import moto.server). ` +
      'Install it with `bash .ci/install-s3-server`, or point RIVULET_S3_SERVER_PYTHON at a Python that has moto[s3], flask and flask-cors.',
  );
}

/** Starts a server, waits until it answers, and creates a bucket. */
export async function startS3Server(bucket = 'rivulet-test'): Promise<S3TestServer> {
  const python = findPython();
  const child = spawn(python, ['-m', 'moto.server', '-H', '127.0.0.1', '-p', '0'], {
    detached: true, // its own process group, so stop() kills it and anything it started
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
  });
  const killGroup = (signal: NodeJS.Signals): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  // If the test process ends without stop() (a crash), take the server with it.
  const onExit = (): void => killGroup('SIGKILL');
  process.once('exit', onExit);

  let output = '';
  let stopping = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`moto server did not start within ${STARTUP_TIMEOUT_MS} ms. Output:\n${output}`)), STARTUP_TIMEOUT_MS);
      const onData = (chunk: Buffer): void => {
        // Keep only the tail: the server logs every request, and the pipes must keep draining.
        output = (output + chunk.toString()).slice(-8192);
        const m = /Running on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
        if (m !== null) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('error', (e) => {
        clearTimeout(timer);
        reject(new Error(`cannot run ${python}: ${e.message}`));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (!stopping) reject(new Error(`moto server exited (${code ?? signal}) before it listened. Output:\n${output}`));
      });
    });
    const endpoint = `http://127.0.0.1:${port}`;
    await waitUntilAnswers(endpoint);
    const credentials = { accessKeyId: 'rivulet-test', secretAccessKey: 'rivulet-test-secret' };
    const region = 'us-east-1';
    const client = new S3Client({ endpoint, region, credentials, forcePathStyle: true, maxAttempts: 1 });
    const createBucket = async (name: string): Promise<void> => {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    };
    await createBucket(bucket);
    return {
      endpoint,
      bucket,
      region,
      credentials,
      client,
      createBucket,
      stop: async () => {
        stopping = true;
        client.destroy();
        await stopChild(child, exited, killGroup);
        process.removeListener('exit', onExit);
      },
    };
  } catch (e) {
    stopping = true;
    await stopChild(child, exited, killGroup);
    process.removeListener('exit', onExit);
    throw e;
  }
}

async function stopChild(child: ChildProcess, exited: Promise<void>, killGroup: (s: NodeJS.Signals) => void): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  killGroup('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), 3000);
  });
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    killGroup('SIGKILL');
    await exited;
  }
  clearTimeout(timer);
}

async function waitUntilAnswers(endpoint: string): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      await res.arrayBuffer();
      return;
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`moto server at ${endpoint} does not answer`, { cause: e });
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/**
 * Registers `before`/`after` hooks of the current test file (or suite) that start and stop a
 * server; returns a getter for it, valid inside tests.
 */
export function useS3Server(bucket?: string): () => S3TestServer {
  let server: S3TestServer | undefined;
  before(async () => {
    server = await startS3Server(bucket);
  });
  after(async () => {
    await server?.stop();
    server = undefined;
  });
  return () => {
    if (server === undefined) throw new Error('the S3 test server is not running (use the getter inside tests)');
    return server;
  };
}
