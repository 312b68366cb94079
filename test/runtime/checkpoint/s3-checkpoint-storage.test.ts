/**
 * S3CheckpointStorage against a real S3-compatible server (moto, started on 127.0.0.1 by the
 * test; see test/support/s3-server.ts): the storage contract, the object layout, URIs and
 * environment, errors that say what to do, and bounded retries.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { RivuletError } from '../../../src/core/errors.ts';
import { S3CheckpointStorage } from '../../../src/runtime/checkpoint/s3-checkpoint-storage.ts';
import type { S3CheckpointStorageOptions } from '../../../src/runtime/checkpoint/s3-checkpoint-storage.ts';
import { useS3Server } from '../../support/s3-server.ts';
import { checkpointStorageContract } from './storage-contract.ts';

const server = useS3Server();
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
let namespaces = 0;

function options(extra: Partial<S3CheckpointStorageOptions> = {}): S3CheckpointStorageOptions {
  const s = server();
  return { bucket: s.bucket, prefix: `ckpts/t${++namespaces}`, endpoint: s.endpoint, region: s.region, credentials: s.credentials, ...extra };
}

/** Every key under a prefix, read with the server's own client. */
async function keysUnder(prefix: string, bucket = server().bucket): Promise<string[]> {
  const res = await server().client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (res.Contents ?? []).map((o) => o.Key!).sort();
}

function keyOf(location: string): string {
  const head = `s3://${server().bucket}/`;
  assert.ok(location.startsWith(head), location);
  return location.slice(head.length);
}

checkpointStorageContract('S3CheckpointStorage', async () => {
  const opts = options({ jobId: 'job-1' });
  const opened: S3CheckpointStorage[] = [];
  const open = (): S3CheckpointStorage => {
    const st = new S3CheckpointStorage(opts);
    opened.push(st);
    return st;
  };
  const storage = open();
  return {
    storage,
    reopen: open,
    // The whole prefix, above the job's place, so that a blob written outside it shows.
    listAll: async () => (await keysUnder(`${opts.prefix}/`)).map((k) => `s3://${opts.bucket}/${k}`),
    overwrite: async (location, data) => {
      await server().client.send(new PutObjectCommand({ Bucket: opts.bucket, Key: keyOf(location), Body: data }));
    },
    remove: async (location) => {
      await server().client.send(new DeleteObjectCommand({ Bucket: opts.bucket, Key: keyOf(location) }));
    },
    dispose: async () => {
      for (const st of opened) st.close();
    },
  };
});

/** Asserts a RivuletError whose message contains every one of `parts`. */
async function rejectsWith(p: Promise<unknown>, code: string, ...parts: string[]): Promise<RivuletError> {
  let caught: unknown;
  await assert.rejects(p, (e: unknown) => {
    caught = e;
    return true;
  });
  assert.ok(caught instanceof RivuletError, `expected a RivuletError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  for (const part of parts) assert.ok(caught.message.includes(part), `message should contain ${JSON.stringify(part)}: ${caught.message}`);
  return caught;
}

/** A loopback HTTP server answering every request with `handler`; counts requests. */
async function fakeS3(handler: (req: IncomingMessage, res: ServerResponse, n: number) => void): Promise<{ endpoint: string; requests: () => number; close: () => Promise<void> }> {
  let n = 0;
  const srv: Server = createServer((req, res) => {
    n++;
    req.resume();
    req.on('end', () => handler(req, res, n));
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests: () => n,
    close: () => new Promise<void>((resolve) => {
      srv.closeAllConnections();
      srv.close(() => resolve());
    }),
  };
}

const s3Error = (res: ServerResponse, status: number, code: string, message: string): void => {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>r1</RequestId></Error>`);
};

void describe('S3CheckpointStorage', () => {
  void it('lays out <prefix>/<jobId>/chk-<n>/<name> and chk-<n>/_metadata', async () => {
    const st = new S3CheckpointStorage(options({ prefix: '/team/ckpts/', jobId: 'a1b2' }));
    try {
      assert.equal(st.basePath, 'team/ckpts/a1b2');
      assert.equal(String(st), `s3://${server().bucket}/team/ckpts/a1b2`);
      const h = await st.writeState(3, 'window-agg-0', bytes('x'));
      assert.deepEqual(h, { location: `s3://${server().bucket}/team/ckpts/a1b2/chk-3/window-agg-0`, bytes: 1 });
      const meta = await st.writeMetadata(3, bytes('m'));
      assert.equal(meta, `s3://${server().bucket}/team/ckpts/a1b2/chk-3/_metadata`);
      assert.deepEqual(await keysUnder('team/ckpts/a1b2/'), ['team/ckpts/a1b2/chk-3/_metadata', 'team/ckpts/a1b2/chk-3/window-agg-0']);
    } finally {
      st.close();
    }
    const root = new S3CheckpointStorage(options({ prefix: '' }));
    try {
      const h = await root.writeState(1, 's', bytes('x'));
      assert.equal(h.location, `s3://${server().bucket}/chk-1/s`);
      await root.writeMetadata(1, bytes('m'));
      assert.deepEqual((await root.listCompleted()).map((r) => r.checkpointId), [1]);
      await root.discard(1);
      assert.deepEqual(await keysUnder('chk-'), []);
    } finally {
      root.close();
    }
  });

  void it('ignores other objects under the prefix when listing', async () => {
    const st = new S3CheckpointStorage(options());
    try {
      const c = server().client;
      for (const key of ['chk-x/_metadata', 'chk-01/_metadata', 'chk-5/op/_metadata', 'chk-6/_metadata.tmp', 'shared/_metadata', 'chk-7/_metadata']) {
        await c.send(new PutObjectCommand({ Bucket: st.bucket, Key: `${st.basePath}/${key}`, Body: 'm' }));
      }
      assert.deepEqual((await st.listCompleted()).map((r) => r.checkpointId), [7]);
    } finally {
      st.close();
    }
  });

  void it('pages through listings and deletes in batches', async () => {
    const st = new S3CheckpointStorage(options({ listPageSize: 2, deleteBatchSize: 2 }));
    try {
      for (let id = 1; id <= 5; id++) {
        for (let j = 0; j < 5; j++) await st.writeState(id, `op-${j}`, bytes(`${id}.${j}`));
        await st.writeMetadata(id, bytes(`m${id}`));
      }
      assert.deepEqual((await st.listCompleted()).map((r) => r.checkpointId), [5, 4, 3, 2, 1]);
      await st.discard(3);
      assert.equal((await keysUnder(`${st.basePath}/`)).length, 4 * 6);
      assert.deepEqual(await keysUnder(`${st.basePath}/chk-3/`), []);
    } finally {
      st.close();
    }
  });

  void it('is built from an s3:// URI and the AWS_* environment', async () => {
    const s = server();
    const env = { AWS_ENDPOINT_URL_S3: s.endpoint, AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 'secret' };
    const st = S3CheckpointStorage.fromUri(`s3://${s.bucket}/from-uri/ckpts`, { jobId: 'j' }, env);
    try {
      assert.equal(String(st), `s3://${s.bucket}/from-uri/ckpts/j`);
      assert.equal(st.endpointDescription, s.endpoint);
      await st.writeMetadata(1, bytes('m'));
      assert.deepEqual(await keysUnder('from-uri/'), ['from-uri/ckpts/j/chk-1/_metadata']);
    } finally {
      st.close();
    }
    const generic = S3CheckpointStorage.fromUri(`s3a://${s.bucket}`, {}, { AWS_ENDPOINT_URL: s.endpoint, AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's' });
    try {
      assert.equal(generic.basePath, '');
      assert.equal(generic.endpointDescription, s.endpoint);
    } finally {
      generic.close();
    }
    for (const bad of ['s3://', 'file:///tmp/x', 'not a uri', 's3://key:secret@bucket/p', 's3://Bad_Bucket/p', 's3://bucket:9000/p']) {
      await assert.rejects(async () => S3CheckpointStorage.fromUri(bad, {}, {}), (e: unknown) => e instanceof RivuletError && e.code === 'INVALID_ARGUMENT', bad);
    }
    assert.throws(() => new S3CheckpointStorage({ ...options(), endpoint: 'localhost:9000' }), /not an http\(s\) URL/);
    assert.throws(() => new S3CheckpointStorage({ ...options(), jobId: 'a/b' }), /job id/);
  });

  void it('says the bucket does not exist and to create it', async () => {
    const st = new S3CheckpointStorage(options({ bucket: 'no-such-bucket' }));
    try {
      await rejectsWith(st.writeState(1, 'op', bytes('x')), 'CHECKPOINT_STORAGE_FAILED', 's3://no-such-bucket/', 'does not exist', 'create it');
      await rejectsWith(st.listCompleted(), 'CHECKPOINT_STORAGE_FAILED', 's3://no-such-bucket/', 'create it');
    } finally {
      st.close();
    }
  });

  void it('says when the endpoint cannot be reached, after a bounded number of attempts', async () => {
    const closed = await fakeS3(() => undefined);
    const endpoint = closed.endpoint;
    await closed.close(); // nothing listens there now
    const st = new S3CheckpointStorage(options({ endpoint, maxAttempts: 2 }));
    try {
      const t0 = Date.now();
      const e = await rejectsWith(st.writeState(1, 'op', bytes('x')), 'CHECKPOINT_STORAGE_FAILED', endpoint, 'ECONNREFUSED', 'AWS_ENDPOINT_URL_S3');
      assert.ok(e.context.file?.endsWith('/chk-1/op'), e.context.file);
      assert.ok(Date.now() - t0 < 10_000);
    } finally {
      st.close();
    }
  });

  void it('says when no credentials are found', async () => {
    const st = new S3CheckpointStorage(options({
      credentials: () => Promise.reject(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' })),
    }));
    try {
      await rejectsWith(st.writeMetadata(1, bytes('m')), 'CHECKPOINT_STORAGE_FAILED', '/chk-1/_metadata', 'AWS_ACCESS_KEY_ID');
    } finally {
      st.close();
    }
  });

  void it('says when the server rejects the credentials or denies access', async () => {
    const fake = await fakeS3((req, res) => {
      if (req.method === 'GET') s3Error(res, 403, 'AccessDenied', 'Access Denied');
      else s3Error(res, 403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
    });
    const st = new S3CheckpointStorage(options({ endpoint: fake.endpoint }));
    try {
      await rejectsWith(st.writeState(2, 'op-a-0', bytes('x')), 'CHECKPOINT_STORAGE_FAILED', `${st}/chk-2/op-a-0`, 'HTTP 403', 'InvalidAccessKeyId', 'AWS_SECRET_ACCESS_KEY');
      await rejectsWith(st.readState({ location: `${st}/chk-2/op-a-0`, bytes: 1 }), 'CHECKPOINT_STORAGE_FAILED', `${st}/chk-2/op-a-0`, 'denied', 'policy');
      assert.equal(fake.requests(), 2, 'a 403 is not retried');
    } finally {
      st.close();
      await fake.close();
    }
  });

  void it('retries throttling and server errors, up to maxAttempts', async () => {
    const down = await fakeS3((_req, res) => s3Error(res, 503, 'SlowDown', 'Please reduce your request rate.'));
    const st = new S3CheckpointStorage(options({ endpoint: down.endpoint, maxAttempts: 3 }));
    try {
      await rejectsWith(st.writeMetadata(9, bytes('m')), 'CHECKPOINT_STORAGE_FAILED', `${st}/chk-9/_metadata`, 'HTTP 503', 'SlowDown');
      assert.equal(down.requests(), 3);
    } finally {
      st.close();
      await down.close();
    }
    const flaky = await fakeS3((_req, res, n) => {
      if (n === 1) s3Error(res, 500, 'InternalError', 'We encountered an internal error. Please try again.');
      else {
        res.writeHead(200, { etag: '"0"' });
        res.end();
      }
    });
    const st2 = new S3CheckpointStorage(options({ endpoint: flaky.endpoint }));
    try {
      assert.match(await st2.writeMetadata(9, bytes('m')), /chk-9\/_metadata$/);
      assert.equal(flaky.requests(), 2);
    } finally {
      st2.close();
      await flaky.close();
    }
  });

  void it('rejects a location that is not its own', async () => {
    const st = new S3CheckpointStorage(options());
    try {
      await rejectsWith(st.readState({ location: 's3://other-bucket/chk-1/x', bytes: 1 }), 'CHECKPOINT_STORAGE_FAILED', 's3://other-bucket/chk-1/x');
      await rejectsWith(st.readMetadata('/tmp/chk-1/_metadata'), 'CHECKPOINT_STORAGE_FAILED', '/tmp/chk-1/_metadata');
    } finally {
      st.close();
    }
  });
});
