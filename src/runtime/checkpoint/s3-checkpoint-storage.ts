/**
 * CheckpointStorage on S3-compatible object storage (AWS S3, MinIO, Ceph RGW, …) through the
 * AWS SDK v3, as Flink's checkpoint storage on `s3://`.
 *
 * Layout, with `<base>` = `<prefix>[/<jobId>]`:
 *
 *     <base>/chk-<n>/<name>        state blobs, one PutObject each
 *     <base>/chk-<n>/_metadata     written last with a single PutObject
 *
 * A PutObject is atomic in S3 semantics (readers see the whole object or none, and since
 * 2020 S3 is strongly read-after-write and list-after-write consistent), so a checkpoint is
 * complete exactly when its `_metadata` object exists. {@link listCompleted} lists the
 * `_metadata` keys with ListObjectsV2; {@link discard} deletes `_metadata` first (so a
 * half-discarded checkpoint never counts as complete), then the blobs with batched
 * DeleteObjects.
 *
 * Retries are the SDK's standard retry strategy (exponential backoff with jitter on
 * throttling, 5xx and network errors), bounded by `maxAttempts`; connection and request
 * timeouts keep an unreachable endpoint from hanging a checkpoint. Reads check the size
 * recorded in the handle, and the SDK validates the CRC32 checksum it stored with each
 * object where the server supports checksums (for a server that rejects them, set
 * `AWS_REQUEST_CHECKSUM_CALCULATION=when_required` and
 * `AWS_RESPONSE_CHECKSUM_VALIDATION=when_required`, which the SDK reads).
 *
 * Every failure is a RivuletError(CHECKPOINT_STORAGE_FAILED) naming the `s3://bucket/key`
 * and saying what to check (credentials, endpoint, region, bucket); bad configuration is
 * RivuletError(INVALID_ARGUMENT).
 */
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { RivuletError } from '../../core/errors.ts';
import type { CheckpointStorage, CompletedCheckpointRef, StateHandle } from './checkpoint-storage.ts';

/** Static credentials, or an SDK credential provider (e.g. from `@aws-sdk/credential-providers`). */
export type S3Credentials = NonNullable<S3ClientConfig['credentials']>;

export interface S3CheckpointStorageOptions {
  readonly bucket: string;
  /** Key prefix under which checkpoints go ('' for the bucket's root). */
  readonly prefix: string;
  /** When set, checkpoints go under `<prefix>/<jobId>/` (as Flink's `<dir>/<job-id>/chk-<n>`). */
  readonly jobId?: string;
  /**
   * The S3-compatible server, e.g. `http://127.0.0.1:9000`. Default: `AWS_ENDPOINT_URL_S3`,
   * then `AWS_ENDPOINT_URL`, then AWS S3 itself.
   */
  readonly endpoint?: string;
  /** Default: `AWS_REGION`, `AWS_DEFAULT_REGION`, `us-east-1` with a custom endpoint, else the SDK's profile. */
  readonly region?: string;
  /** Path-style URLs (`endpoint/bucket/key`); default true with a custom endpoint, as most S3-compatible servers need. */
  readonly forcePathStyle?: boolean;
  /** Default: the SDK's chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, SSO, instance roles). */
  readonly credentials?: S3Credentials;
  /** Attempts per request, including the first (SDK standard retry strategy). Default 3. */
  readonly maxAttempts?: number;
  /** Milliseconds to establish a connection. Default 5000. */
  readonly connectionTimeoutMs?: number;
  /** Milliseconds a request may take. Default 120000. */
  readonly requestTimeoutMs?: number;
  /** Keys per ListObjectsV2 page (at most 1000). */
  readonly listPageSize?: number;
  /** Keys per DeleteObjects request (at most 1000). */
  readonly deleteBatchSize?: number;
}

/** Overrides for {@link S3CheckpointStorage.fromUri}: everything but what the URI says. */
export type S3UriOptions = Partial<Omit<S3CheckpointStorageOptions, 'bucket' | 'prefix'>>;

const METADATA = '_metadata';
const MAX_BATCH = 1000;
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
// One key segment: no slash, no control characters, not '.' or '..'.
const JOB_ID = /^(?!\.\.?$)[^/\u0000-\u001f\u007f]+$/;

export class S3CheckpointStorage implements CheckpointStorage {
  readonly bucket: string;
  /** `<prefix>[/<jobId>]` without leading or trailing slashes; '' for the bucket's root. */
  readonly basePath: string;
  /** The endpoint requests go to, for messages ('AWS S3' when none is configured). */
  readonly endpointDescription: string;
  private readonly options: S3CheckpointStorageOptions;
  private readonly client: S3Client;
  private readonly listPageSize: number;
  private readonly deleteBatchSize: number;

  /**
   * Builds from a URI such as `s3://bucket/some/prefix` (also `s3a://`); the endpoint, region
   * and credentials come from `overrides`, else from `env` (`AWS_ENDPOINT_URL_S3`,
   * `AWS_ENDPOINT_URL`, `AWS_REGION`, `AWS_DEFAULT_REGION`, `AWS_ACCESS_KEY_ID`,
   * `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), else from the SDK's defaults.
   * @throws RivuletError(INVALID_ARGUMENT) naming the URI when it is not an S3 URI.
   */
  static fromUri(uri: string, overrides: S3UriOptions = {}, env: NodeJS.ProcessEnv = process.env): S3CheckpointStorage {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      throw invalidUri(uri, 'it is not a URI');
    }
    if (url.protocol !== 's3:' && url.protocol !== 's3a:') throw invalidUri(uri, `the scheme is ${url.protocol.slice(0, -1)}, not s3`);
    if (url.username !== '' || url.password !== '') throw invalidUri(uri, 'credentials do not belong in the URI; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
    if (url.port !== '') throw invalidUri(uri, 'it has a port; give the server with AWS_ENDPOINT_URL_S3 instead');
    if (url.search !== '' || url.hash !== '') throw invalidUri(uri, 'it has a query or fragment');
    const bucket = url.hostname;
    if (bucket === '') throw invalidUri(uri, 'it names no bucket (expected s3://<bucket>/<prefix>)');
    const options: { -readonly [K in keyof S3CheckpointStorageOptions]: S3CheckpointStorageOptions[K] } = {
      bucket,
      prefix: decodeURIComponent(url.pathname),
    };
    const endpoint = overrides.endpoint ?? nonEmpty(env.AWS_ENDPOINT_URL_S3) ?? nonEmpty(env.AWS_ENDPOINT_URL);
    if (endpoint !== undefined) options.endpoint = endpoint;
    const region = overrides.region ?? nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION);
    if (region !== undefined) options.region = region;
    const accessKeyId = nonEmpty(env.AWS_ACCESS_KEY_ID);
    const secretAccessKey = nonEmpty(env.AWS_SECRET_ACCESS_KEY);
    const sessionToken = nonEmpty(env.AWS_SESSION_TOKEN);
    if (overrides.credentials !== undefined) options.credentials = overrides.credentials;
    else if (accessKeyId !== undefined && secretAccessKey !== undefined) {
      options.credentials = sessionToken === undefined ? { accessKeyId, secretAccessKey } : { accessKeyId, secretAccessKey, sessionToken };
    }
    const { endpoint: _e, region: _r, credentials: _c, ...rest } = overrides;
    return new S3CheckpointStorage({ ...rest, ...options });
  }

  /** @throws RivuletError(INVALID_ARGUMENT) naming the option that is wrong. */
  constructor(options: S3CheckpointStorageOptions) {
    if (!BUCKET_NAME.test(options.bucket) || options.bucket.includes('..')) {
      throw new RivuletError('INVALID_ARGUMENT', `S3 checkpoint storage: "${options.bucket}" is not a valid bucket name (3-63 lowercase letters, digits, dots and hyphens)`);
    }
    if (options.jobId !== undefined && !JOB_ID.test(options.jobId)) {
      throw new RivuletError('INVALID_ARGUMENT', `S3 checkpoint storage: job id "${options.jobId}" must be one non-empty key segment (no '/', not '.' or '..')`);
    }
    const prefixParts = options.prefix.split('/').filter((p) => p !== '');
    if (prefixParts.some((p) => p === '.' || p === '..')) {
      throw new RivuletError('INVALID_ARGUMENT', `S3 checkpoint storage: prefix "${options.prefix}" may not contain '.' or '..' segments`);
    }
    const endpoint = options.endpoint ?? nonEmpty(process.env.AWS_ENDPOINT_URL_S3) ?? nonEmpty(process.env.AWS_ENDPOINT_URL);
    if (endpoint !== undefined) {
      let ok = false;
      try {
        const u = new URL(endpoint);
        ok = u.protocol === 'http:' || u.protocol === 'https:';
      } catch {
        ok = false;
      }
      if (!ok) throw new RivuletError('INVALID_ARGUMENT', `S3 checkpoint storage: endpoint "${endpoint}" is not an http(s) URL (e.g. http://127.0.0.1:9000)`);
    }
    this.options = options;
    this.bucket = options.bucket;
    this.basePath = [...prefixParts, ...(options.jobId !== undefined ? [options.jobId] : [])].join('/');
    this.endpointDescription = endpoint ?? 'AWS S3';
    this.listPageSize = batchSize(options.listPageSize, 'listPageSize');
    this.deleteBatchSize = batchSize(options.deleteBatchSize, 'deleteBatchSize');

    const region = options.region ?? nonEmpty(process.env.AWS_REGION) ?? nonEmpty(process.env.AWS_DEFAULT_REGION) ?? (endpoint !== undefined ? 'us-east-1' : undefined);
    const config: S3ClientConfig = {
      maxAttempts: options.maxAttempts ?? 3,
      retryMode: 'standard',
      forcePathStyle: options.forcePathStyle ?? endpoint !== undefined,
      requestHandler: {
        connectionTimeout: options.connectionTimeoutMs ?? 5000,
        requestTimeout: options.requestTimeoutMs ?? 120_000,
        throwOnRequestTimeout: true,
      },
    };
    if (endpoint !== undefined) config.endpoint = endpoint;
    if (region !== undefined) config.region = region;
    if (options.credentials !== undefined) config.credentials = options.credentials;
    this.client = new S3Client(config);
  }

  toString(): string {
    return `s3://${this.bucket}/${this.basePath}`;
  }

  async writeState(checkpointId: number, name: string, data: Uint8Array): Promise<StateHandle> {
    checkName(name);
    const key = this.key(checkpointId, name);
    await this.put(key, data, 'write state to');
    return { location: this.location(key), bytes: data.byteLength };
  }

  async readState(handle: StateHandle): Promise<Uint8Array> {
    const key = this.keyOf(handle.location);
    const data = await this.get(key, 'checkpoint state');
    if (data.byteLength !== handle.bytes) {
      throw new RivuletError(
        'CHECKPOINT_STORAGE_FAILED',
        `Checkpoint state ${handle.location} is corrupt: it has ${data.byteLength} bytes, the checkpoint recorded ${handle.bytes}. ` +
          'It was changed or truncated after the checkpoint; restore from an older checkpoint.',
        { file: handle.location },
      );
    }
    return data;
  }

  async writeMetadata(checkpointId: number, metadata: Uint8Array): Promise<string> {
    const key = this.key(checkpointId, METADATA);
    await this.put(key, metadata, 'write checkpoint metadata to');
    return this.location(key);
  }

  async readMetadata(metadataLocation: string): Promise<Uint8Array> {
    return this.get(this.keyOf(metadataLocation), 'checkpoint metadata');
  }

  async listCompleted(): Promise<CompletedCheckpointRef[]> {
    const base = this.basePath === '' ? '' : `${this.basePath}/`;
    const pattern = /^chk-(0|[1-9][0-9]*)\/_metadata$/;
    const refs: CompletedCheckpointRef[] = [];
    for await (const key of this.listKeys(`${base}chk-`)) {
      const m = pattern.exec(key.slice(base.length));
      if (m === null) continue;
      const checkpointId = Number(m[1]);
      if (Number.isSafeInteger(checkpointId)) refs.push({ checkpointId, metadataLocation: this.location(key) });
    }
    return refs.sort((a, b) => b.checkpointId - a.checkpointId);
  }

  async discard(checkpointId: number): Promise<void> {
    const dir = this.key(checkpointId, '');
    const metadataKey = this.key(checkpointId, METADATA);
    // Metadata first: from here on the checkpoint no longer counts as complete.
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: metadataKey }));
    } catch (e) {
      throw this.failure(e, `Cannot delete ${this.location(metadataKey)}`, metadataKey);
    }
    let batch: string[] = [];
    for await (const key of this.listKeys(dir)) {
      batch.push(key);
      if (batch.length === this.deleteBatchSize) {
        await this.deleteBatch(batch);
        batch = [];
      }
    }
    if (batch.length > 0) await this.deleteBatch(batch);
  }

  /** Closes the client's connections; the storage cannot be used afterwards. */
  close(): void {
    this.client.destroy();
  }

  // --- internals -------------------------------------------------------------------------

  private key(checkpointId: number, name: string): string {
    if (!Number.isSafeInteger(checkpointId) || checkpointId < 0) {
      throw new RivuletError('INVALID_ARGUMENT', `${this}: checkpoint id ${checkpointId} is not a non-negative integer`);
    }
    return `${this.basePath === '' ? '' : `${this.basePath}/`}chk-${checkpointId}/${name}`;
  }

  private location(key: string): string {
    return `s3://${this.bucket}/${key}`;
  }

  /** The key of a location this storage returned. */
  private keyOf(location: string): string {
    const head = `s3://${this.bucket}/`;
    if (!location.startsWith(head) || location.length === head.length) {
      throw new RivuletError('CHECKPOINT_STORAGE_FAILED', `${location} is not a location in ${this} (expected ${head}…)`, { file: location });
    }
    return location.slice(head.length);
  }

  private async put(key: string, body: Uint8Array, what: string): Promise<void> {
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentLength: body.byteLength, ContentType: 'application/octet-stream' }));
    } catch (e) {
      throw this.failure(e, `Cannot ${what} ${this.location(key)}`, key);
    }
  }

  private async get(key: string, what: string): Promise<Uint8Array> {
    const location = this.location(key);
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (res.Body === undefined) throw new Error('the response has no body');
      return await res.Body.transformToByteArray();
    } catch (e) {
      if (errorName(e) === 'NoSuchKey') {
        throw new RivuletError('CHECKPOINT_STORAGE_FAILED', `The ${what} ${location} does not exist: it was deleted, or the checkpoint never completed; restore from another checkpoint`, { file: location }, { cause: e });
      }
      throw this.failure(e, `Cannot read the ${what} ${location}`, key);
    }
  }

  private async *listKeys(prefix: string): AsyncGenerator<string> {
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, MaxKeys: this.listPageSize, ...(token !== undefined ? { ContinuationToken: token } : {}) }),
        );
      } catch (e) {
        throw this.failure(e, `Cannot list ${this.location(prefix)}`, prefix);
      }
      for (const o of page.Contents ?? []) if (o.Key !== undefined) yield o.Key;
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  private async deleteBatch(keys: readonly string[]): Promise<void> {
    let res;
    try {
      res = await this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } }));
    } catch (e) {
      throw this.failure(e, `Cannot delete ${keys.length} objects under ${this.location(keys[0] ?? '')}`, keys[0] ?? '');
    }
    const errors = res.Errors ?? [];
    const first = errors[0];
    if (first !== undefined) {
      const location = this.location(first.Key ?? '');
      throw new RivuletError(
        'CHECKPOINT_STORAGE_FAILED',
        `Cannot delete ${location} (and ${errors.length - 1} more): ${first.Code ?? 'error'}: ${first.Message ?? ''}${hint(first.Code, this.bucket, this.endpointDescription)}`,
        { file: location },
      );
    }
  }

  private failure(e: unknown, what: string, key: string): RivuletError {
    if (e instanceof RivuletError) return e;
    const location = this.location(key);
    const name = errorName(e);
    const detail = e instanceof Error ? `${name}: ${e.message}` : String(e);
    const status = httpStatus(e);
    return new RivuletError(
      'CHECKPOINT_STORAGE_FAILED',
      `${what} (${this.endpointDescription}${status !== undefined ? `, HTTP ${status}` : ''}): ${detail}${hint(name, this.bucket, this.endpointDescription, e)}`,
      { file: location },
      { cause: e },
    );
  }
}

/** What to do about an error, from its S3 error code or Node error code. */
function hint(name: string | undefined, bucket: string, endpoint: string, e?: unknown): string {
  const code = (e as { code?: unknown } | undefined)?.code;
  const causeCode = (e as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  const net = typeof code === 'string' ? code : typeof causeCode === 'string' ? causeCode : undefined;
  switch (name) {
    case 'NoSuchBucket':
      return `. The bucket "${bucket}" does not exist at ${endpoint}: create it, or fix the bucket in the checkpoint URI`;
    case 'AccessDenied':
    case 'Forbidden':
    case 'AllAccessDisabled':
      return `. Access to bucket "${bucket}" was denied: check that the credentials may read, write, list and delete there (the bucket policy or IAM policy)`;
    case 'InvalidAccessKeyId':
    case 'SignatureDoesNotMatch':
    case 'ExpiredToken':
    case 'TokenRefreshRequired':
    case 'InvalidToken':
      return '. The credentials were rejected: check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) or AWS_PROFILE';
    case 'CredentialsProviderError':
      return '. No credentials were found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or pass credentials';
    case 'PermanentRedirect':
    case 'AuthorizationHeaderMalformed':
    case 'IllegalLocationConstraintException':
      return `. The bucket "${bucket}" is in another region: set AWS_REGION (or the region option) to the bucket's region`;
    case 'TimeoutError':
      return `. ${endpoint} did not answer in time: check the endpoint (AWS_ENDPOINT_URL_S3) and the network`;
    default:
      break;
  }
  if (name === 'Error' && e instanceof Error && /region is missing/i.test(e.message)) {
    return '. Set AWS_REGION (or the region option)';
  }
  if (net === 'ECONNREFUSED' || net === 'ENOTFOUND' || net === 'EAI_AGAIN' || net === 'ECONNRESET' || net === 'EHOSTUNREACH' || net === 'ETIMEDOUT') {
    return `. Cannot reach ${endpoint} (${net}): check that the server runs and the endpoint (AWS_ENDPOINT_URL_S3) is right`;
  }
  return '';
}

function errorName(e: unknown): string | undefined {
  return e instanceof Error ? e.name : undefined;
}

function httpStatus(e: unknown): number | undefined {
  const status = (e as { $metadata?: { httpStatusCode?: unknown } } | undefined)?.$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === '' ? undefined : s;
}

function invalidUri(uri: string, why: string): RivuletError {
  return new RivuletError('INVALID_ARGUMENT', `"${uri}" is not an S3 checkpoint location: ${why} (expected s3://<bucket>/<prefix>)`);
}

function batchSize(n: number | undefined, option: string): number {
  if (n === undefined) return MAX_BATCH;
  if (!Number.isInteger(n) || n < 1 || n > MAX_BATCH) {
    throw new RivuletError('INVALID_ARGUMENT', `S3 checkpoint storage: ${option} must be an integer from 1 to ${MAX_BATCH}, not ${n}`);
  }
  return n;
}

/** @throws RivuletError(INVALID_ARGUMENT) for a name that is empty, reserved, or not a plain relative path. */
function checkName(name: string): void {
  const parts = name.split('/');
  if (name === '' || name === METADATA || parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw new RivuletError('INVALID_ARGUMENT', `"${name}" is not a valid checkpoint state name: it must be non-empty, not "${METADATA}", with no empty, "." or ".." segments`);
  }
}
