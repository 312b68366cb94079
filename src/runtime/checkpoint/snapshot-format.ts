/**
 * The bytes of checkpoint files (state blobs and metadata): a small header, then the value
 * serialized with msgpackr in structured-clone mode (Map, Set, Date, bigint, typed arrays
 * and shared references survive; class instances come back as plain objects).
 *
 *     bytes 0..3   magic "RVCK"
 *     byte  4      format version (1)
 *     byte  5      kind: 1 state blob, 2 metadata
 *     bytes 6..9   CRC-32 of the payload (big-endian)
 *     bytes 10..   payload
 *
 * The checksum makes a torn or corrupted file an error naming the file instead of state
 * that decodes into something else.
 */
import { crc32 } from 'node:zlib';
import { Packr, Unpackr } from 'msgpackr';
import { RivuletError } from '../../core/errors.ts';

const MAGIC = [0x52, 0x56, 0x43, 0x4b]; // "RVCK"
const VERSION = 1;
const HEADER_BYTES = 10;

export const SnapshotKind = { STATE: 1, METADATA: 2 } as const;
export type SnapshotKind = (typeof SnapshotKind)[keyof typeof SnapshotKind];

const packr = new Packr({ structuredClone: true });
const unpackr = new Unpackr({ structuredClone: true });

/** Serializes `value` into a checkpoint file's bytes. The result is a copy: later changes to `value` do not show. */
export function encodeSnapshot(kind: SnapshotKind, value: unknown): Uint8Array {
  const payload = packr.pack(value);
  const out = new Uint8Array(HEADER_BYTES + payload.length);
  out.set(MAGIC, 0);
  out[4] = VERSION;
  out[5] = kind;
  new DataView(out.buffer).setUint32(6, crc32(payload));
  out.set(payload, HEADER_BYTES);
  return out;
}

/**
 * Reads checkpoint file bytes written by {@link encodeSnapshot}.
 * @throws RivuletError(CHECKPOINT_STORAGE_FAILED) naming `location` when the bytes are not
 *   such a file, of this kind, intact.
 */
export function decodeSnapshot(kind: SnapshotKind, bytes: Uint8Array, location: string): unknown {
  const payload = verifySnapshot(kind, bytes, location);
  try {
    return unpackr.unpack(payload);
  } catch (e) {
    throw new RivuletError('CHECKPOINT_STORAGE_FAILED', `Checkpoint file ${location} is corrupt: it cannot be decoded (${(e as Error).message}).`, { file: location }, { cause: e });
  }
}

/**
 * Checks the header and checksum of checkpoint file bytes without decoding them; returns the payload.
 * @throws RivuletError(CHECKPOINT_STORAGE_FAILED) naming `location`, as {@link decodeSnapshot}.
 */
export function verifySnapshot(kind: SnapshotKind, bytes: Uint8Array, location: string): Uint8Array {
  const corrupt = (why: string): RivuletError => new RivuletError('CHECKPOINT_STORAGE_FAILED', `Checkpoint file ${location} is corrupt: ${why}.`, { file: location });
  if (bytes.length < HEADER_BYTES || MAGIC.some((b, i) => bytes[i] !== b)) throw corrupt('it is not a Rivulet checkpoint file');
  if (bytes[4] !== VERSION) throw corrupt(`unknown format version ${bytes[4]}`);
  if (bytes[5] !== kind) throw corrupt(kind === SnapshotKind.METADATA ? 'it is a state file, not checkpoint metadata' : 'it is checkpoint metadata, not a state file');
  const payload = bytes.subarray(HEADER_BYTES);
  const expected = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(6);
  if (crc32(payload) !== expected) throw corrupt('its checksum does not match (a torn or damaged write)');
  return payload;
}
