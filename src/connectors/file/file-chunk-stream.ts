import { open } from 'node:fs/promises';
import type { ReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { asRivuletError, RivuletError } from '../../core/errors.ts';

/** Bytes per read from disk and per decompressed chunk. */
const CHUNK_BYTES = 64 * 1024;
/** The stream is paused when this many chunks wait to be parsed, and resumed at half. */
const MAX_QUEUED_CHUNKS = 16;

/**
 * The bytes of one file as a bounded queue of chunks, read asynchronously: the fs stream
 * (through gunzip when the file starts with the gzip magic bytes) pushes chunks, the reader
 * takes them from `pollNext`. When the queue holds MAX_QUEUED_CHUNKS the stream is paused,
 * so a slow job holds at most ~1 MiB of a file in memory; taking chunks resumes it.
 *
 * `onChange` is called (on the event loop, never from `take`) when a chunk arrives, the
 * stream ends, or it fails; the reader turns that into its `isAvailable()` future.
 */
export class FileChunkStream {
  private readonly path: string;
  private readonly onChange: () => void;

  private readonly chunks: Buffer[] = [];
  private fileStream: ReadStream | undefined;
  private output: Readable | undefined;
  private paused = false;
  private ended = false;
  private failure: RivuletError | undefined;
  private closed = false;

  constructor(path: string, onChange: () => void) {
    this.path = path;
    this.onChange = onChange;
  }

  /** Opens the file and starts reading; failures surface through `failure`. */
  start(): void {
    this.open().catch((e: unknown) => this.fail(e));
  }

  /** Compressed bytes read from disk so far. */
  get bytesRead(): number {
    return this.fileStream?.bytesRead ?? 0;
  }

  /** The next chunk, if one has arrived. */
  take(): Buffer | undefined {
    const chunk = this.chunks.shift();
    if (this.paused && this.chunks.length <= MAX_QUEUED_CHUNKS / 2) {
      this.paused = false;
      this.output?.resume();
    }
    return chunk;
  }

  /** True when every chunk was taken and the file has no more. */
  get exhausted(): boolean {
    return this.ended && this.chunks.length === 0;
  }

  /** True when `take` would return a chunk, or the stream ended or failed. */
  get hasNews(): boolean {
    return this.chunks.length > 0 || this.ended || this.failure !== undefined;
  }

  /** Why reading failed, once it has (then no more chunks come). */
  get error(): RivuletError | undefined {
    return this.failure;
  }

  close(): void {
    this.closed = true;
    this.output?.destroy();
    this.fileStream?.destroy();
    this.chunks.length = 0;
  }

  private async open(): Promise<void> {
    const handle = await open(this.path, 'r');
    if (this.closed) {
      await handle.close();
      return;
    }
    const magic = Buffer.alloc(2);
    const { bytesRead } = await handle.read(magic, 0, 2, 0);
    const gzipped = bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
    const fileStream = handle.createReadStream({ start: 0, highWaterMark: CHUNK_BYTES });
    this.fileStream = fileStream;
    let output: Readable = fileStream;
    if (gzipped) {
      output = pipeline(fileStream, createGunzip({ chunkSize: CHUNK_BYTES }), (e) => {
        if (e) this.fail(e);
      });
    } else {
      fileStream.on('error', (e) => this.fail(e));
    }
    this.output = output;
    output.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      if (!this.paused && this.chunks.length >= MAX_QUEUED_CHUNKS) {
        this.paused = true;
        output.pause();
      }
      this.onChange();
    });
    output.on('end', () => {
      this.ended = true;
      this.onChange();
    });
    if (this.closed) this.close();
  }

  private fail(e: unknown): void {
    if (this.closed || this.failure !== undefined) return;
    const code = (e as { code?: unknown } | null)?.code;
    this.failure =
      typeof code === 'string' && code.startsWith('Z_')
        ? new RivuletError('MALFORMED_RECORD', `${this.path} is not a valid gzip file: ${(e as Error).message}`, { file: this.path }, { cause: e })
        : asRivuletError(e, 'INPUT_NOT_FOUND', `Cannot read ${this.path}`, { file: this.path });
    this.onChange();
  }
}
