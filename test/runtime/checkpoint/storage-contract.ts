/**
 * The contract every CheckpointStorage keeps (src/runtime/checkpoint/checkpoint-storage.ts),
 * as tests registered by {@link checkpointStorageContract} for one implementation. Each test
 * gets a fresh, empty storage from the factory.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { RivuletError } from '../../../src/core/errors.ts';
import type { CheckpointStorage, StateHandle } from '../../../src/runtime/checkpoint/checkpoint-storage.ts';

/** A storage under test with ways to look and reach behind its back. */
export interface StorageUnderTest {
  /** Empty at first; nothing else writes to its place. */
  readonly storage: CheckpointStorage;
  /** Another instance over the same place, as after a process restart. */
  reopen(): CheckpointStorage;
  /** Every blob stored in the storage's place, as locations of the form StateHandle.location has. */
  listAll(): Promise<string[]>;
  /** Replaces the bytes at a location, bypassing the storage (a corrupted file). */
  overwrite(location: string, data: Uint8Array): Promise<void>;
  /** Deletes a location, bypassing the storage (a lost file). */
  remove(location: string): Promise<void>;
  /** Releases everything (connections, temporary directories); called after each test. */
  dispose(): Promise<void>;
}

export type StorageFactory = () => Promise<StorageUnderTest>;

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Rejects with a RivuletError whose message names `location`. */
async function rejectsNaming(p: Promise<unknown>, location: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof RivuletError, `expected a RivuletError, got ${String(e)}`);
    assert.ok(e.message.includes(location), `the message should name ${location}: ${e.message}`);
    return true;
  });
}

export function checkpointStorageContract(implementation: string, factory: StorageFactory): void {
  const withStorage = (fn: (s: StorageUnderTest) => Promise<void>) => async (): Promise<void> => {
    const s = await factory();
    try {
      await fn(s);
    } finally {
      await s.dispose();
    }
  };

  void describe(`CheckpointStorage contract: ${implementation}`, () => {
    void it('describes itself for logs', withStorage(async ({ storage }) => {
      assert.ok(String(storage).length > 0);
      assert.notEqual(String(storage), '[object Object]');
    }));

    void it('reads back the blobs it wrote, byte for byte, with their sizes in the handles', withStorage(async ({ storage }) => {
      const every = Uint8Array.from({ length: 256 }, (_, i) => i);
      const big = randomBytes(3 * 1024 * 1024 + 17);
      const blobs: [string, Uint8Array][] = [['op-a-0', bytes('hello')], ['empty', new Uint8Array(0)], ['every-byte', every], ['big', big]];
      const handles = new Map<string, StateHandle>();
      for (const [name, data] of blobs) {
        const h = await storage.writeState(1, name, data);
        assert.equal(h.bytes, data.byteLength);
        assert.equal(typeof h.location, 'string');
        handles.set(name, h);
      }
      assert.equal(new Set([...handles.values()].map((h) => h.location)).size, blobs.length, 'each blob has its own location');
      for (const [name, data] of blobs) {
        const back = await storage.readState(handles.get(name)!);
        assert.ok(Buffer.from(back).equals(Buffer.from(data)), `blob ${name}`);
      }
    }));

    void it('lists nothing while empty', withStorage(async ({ storage }) => {
      assert.deepEqual(await storage.listCompleted(), []);
    }));

    void it('counts a checkpoint complete only once its metadata is written', withStorage(async ({ storage }) => {
      await storage.writeState(7, 'op-a-0', bytes('a'));
      await storage.writeState(7, 'op-b-0', bytes('b'));
      assert.deepEqual(await storage.listCompleted(), []);
      const location = await storage.writeMetadata(7, bytes('{"checkpoint":7}'));
      assert.deepEqual(await storage.listCompleted(), [{ checkpointId: 7, metadataLocation: location }]);
      assert.equal(new TextDecoder().decode(await storage.readMetadata(location)), '{"checkpoint":7}');
    }));

    void it('does not list checkpoints that have blobs but no metadata', withStorage(async ({ storage }) => {
      await storage.writeState(1, 's', bytes('1'));
      await storage.writeMetadata(1, bytes('m1'));
      await storage.writeState(2, 's', bytes('2')); // failed or still in progress
      await storage.writeState(3, 's', bytes('3'));
      assert.deepEqual((await storage.listCompleted()).map((r) => r.checkpointId), [1]);
    }));

    void it('lists completed checkpoints newest first, by number', withStorage(async ({ storage }) => {
      for (const id of [3, 1, 12, 2, 100, 20]) await storage.writeMetadata(id, bytes(`m${id}`));
      const refs = await storage.listCompleted();
      assert.deepEqual(refs.map((r) => r.checkpointId), [100, 20, 12, 3, 2, 1]);
      for (const r of refs) assert.equal(new TextDecoder().decode(await storage.readMetadata(r.metadataLocation)), `m${r.checkpointId}`);
    }));

    void it('keeps what it wrote for another instance over the same place (restart)', withStorage(async (s) => {
      const h = await s.storage.writeState(4, 'op-a-0', bytes('state of 4'));
      await s.storage.writeMetadata(4, bytes(JSON.stringify({ handles: [h] })));
      const again = s.reopen();
      const [ref] = await again.listCompleted();
      assert.equal(ref?.checkpointId, 4);
      const meta = JSON.parse(new TextDecoder().decode(await again.readMetadata(ref.metadataLocation))) as { handles: StateHandle[] };
      assert.equal(new TextDecoder().decode(await again.readState(meta.handles[0]!)), 'state of 4');
    }));

    void it('discard removes every blob and the metadata of that checkpoint and nothing else', withStorage(async (s) => {
      const { storage } = s;
      const written = new Map<number, string[]>();
      for (const id of [1, 2, 10, 11]) {
        const locations: string[] = [];
        for (const name of ['op-a-0', 'op-a-1', 'op-b-0']) locations.push((await storage.writeState(id, name, bytes(`${id}/${name}`))).location);
        if (id !== 11) locations.push(await storage.writeMetadata(id, bytes(`m${id}`)));
        written.set(id, locations);
      }
      const before = new Set(await s.listAll());
      for (const locations of written.values()) for (const l of locations) assert.ok(before.has(l), `listAll shows ${l}`);

      await storage.discard(1); // not chk-10 or chk-11, whose names start the same
      const expected = [...before].filter((l) => !written.get(1)!.includes(l)).sort();
      assert.deepEqual((await s.listAll()).sort(), expected);
      assert.deepEqual((await storage.listCompleted()).map((r) => r.checkpointId), [10, 2]);
      assert.equal(new TextDecoder().decode(await storage.readState({ location: written.get(10)![0]!, bytes: 9 })), '10/op-a-0');

      await storage.discard(11); // incomplete: blobs only
      await storage.discard(99); // never existed: nothing to do
      assert.deepEqual(
        (await s.listAll()).sort(),
        expected.filter((l) => !written.get(11)!.includes(l)),
      );
      await storage.discard(2);
      await storage.discard(10);
      assert.deepEqual(await s.listAll(), []);
      assert.deepEqual(await storage.listCompleted(), []);
    }));

    void it('a missing blob or metadata fails with an error naming its location', withStorage(async (s) => {
      const h = await s.storage.writeState(5, 'op-a-0', bytes('five'));
      const meta = await s.storage.writeMetadata(5, bytes('m5'));
      await s.remove(h.location);
      await rejectsNaming(s.storage.readState(h), h.location);
      await s.remove(meta);
      await rejectsNaming(s.storage.readMetadata(meta), meta);
      assert.deepEqual(await s.storage.listCompleted(), []);

      const g = await s.storage.writeState(6, 'op-a-0', bytes('six'));
      await s.storage.discard(6);
      await rejectsNaming(s.storage.readState(g), g.location);
    }));

    void it('a blob whose size changed (truncated, overwritten) fails with an error naming its location', withStorage(async (s) => {
      const data = randomBytes(1000);
      const h = await s.storage.writeState(8, 'op-a-0', data);
      await s.overwrite(h.location, data.subarray(0, 600));
      await rejectsNaming(s.storage.readState(h), h.location);
      await s.overwrite(h.location, Buffer.concat([data, bytes('junk')]));
      await rejectsNaming(s.storage.readState(h), h.location);
    }));

    void it('keeps odd state names inside their checkpoint: rejected, or stored, read back and discarded with it', withStorage(async (s) => {
      // An operator uid can be anything, so names built from it can be too. Either the
      // storage refuses a name (a RivuletError) or the blob stays a blob of checkpoint 1:
      // it never completes the checkpoint, never lands outside it, and goes with discard(1).
      for (const name of ['', '_metadata', '.', '..', '../escape', 'a/../../escape', '/abs', 'a b%2F/ü', 'chk-2']) {
        let handle: StateHandle | undefined;
        try {
          handle = await s.storage.writeState(1, name, bytes(`blob ${name}`));
        } catch (e) {
          assert.ok(e instanceof RivuletError, `name ${JSON.stringify(name)}: expected a RivuletError, got ${String(e)}`);
          continue;
        }
        assert.equal(new TextDecoder().decode(await s.storage.readState(handle)), `blob ${name}`, `name ${JSON.stringify(name)}`);
        assert.deepEqual(await s.storage.listCompleted(), [], `a blob named ${JSON.stringify(name)} must not complete the checkpoint`);
      }
      await s.storage.discard(1);
      assert.deepEqual(await s.listAll(), [], 'nothing of checkpoint 1 is left, inside or outside its place');
      assert.deepEqual(await s.storage.listCompleted(), []);
    }));

    void it('takes many concurrent writes, across checkpoints, and reads them back', withStorage(async ({ storage }) => {
      const jobs = Array.from({ length: 64 }, (_, i) => ({ id: 1 + (i % 4), name: `op-${i % 5}-${i}`, data: randomBytes(1 + ((i * 7919) % 20_000)) }));
      const handles = await Promise.all(jobs.map((j) => storage.writeState(j.id, j.name, j.data)));
      await Promise.all([1, 2, 3, 4].map((id) => storage.writeMetadata(id, bytes(`m${id}`))));
      const back = await Promise.all(handles.map((h) => storage.readState(h)));
      back.forEach((b, i) => assert.ok(Buffer.from(b).equals(jobs[i]!.data), `blob ${jobs[i]!.name}`));
      assert.deepEqual((await storage.listCompleted()).map((r) => r.checkpointId), [4, 3, 2, 1]);
    }));
  });
}
