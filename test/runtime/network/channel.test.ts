/** LocalChannel: FIFO hand-over between two tasks of one thread, with credit accounting. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RecordBatch } from '../../../src/runtime/network/channel-event.ts';
import { END_OF_PARTITION } from '../../../src/runtime/network/channel-event.ts';
import { DEFAULT_CHANNEL_CAPACITY, LocalChannel } from '../../../src/runtime/network/channel.ts';

const batch = (...values: unknown[]): RecordBatch => ({ kind: 'records', values, timestamps: values.map(() => 0) });

void describe('LocalChannel', () => {
  void it('starts with its capacity as credit', () => {
    assert.equal(new LocalChannel(0).credit(), DEFAULT_CHANNEL_CAPACITY);
    assert.equal(new LocalChannel(0, 2).credit(), 2);
  });

  void it('takes one credit per record batch and none for control events', () => {
    const ch = new LocalChannel(3, 2);
    ch.send(batch('a'));
    assert.equal(ch.credit(), 1);
    ch.send({ kind: 'watermark', timestamp: 5 });
    ch.send({ kind: 'barrier', checkpointId: 1, timestamp: 5 });
    assert.equal(ch.credit(), 1);
    ch.send(batch('b'));
    assert.equal(ch.credit(), 0);
    ch.send(END_OF_PARTITION);
    assert.equal(ch.credit(), 0);
  });

  void it('hands events over in order, as the same objects', () => {
    const ch = new LocalChannel(0);
    const b1 = batch(1, 2);
    const wm = { kind: 'watermark', timestamp: 2 } as const;
    const b2 = batch(3);
    assert.ok(!ch.hasData());
    assert.equal(ch.poll(), undefined);
    ch.send(b1);
    ch.send(wm);
    ch.send(b2);
    ch.send(END_OF_PARTITION);
    assert.ok(ch.hasData());
    assert.equal(ch.poll(), b1);
    assert.equal(ch.poll(), wm);
    // Interleaved sending and polling keeps the order too.
    ch.send(batch(4));
    assert.equal(ch.poll(), b2);
    assert.equal(ch.poll(), END_OF_PARTITION);
    assert.deepEqual(ch.poll(), batch(4));
    assert.ok(!ch.hasData());
    assert.equal(ch.poll(), undefined);
  });

  void it('returns a credit per released batch and tells the sender', () => {
    const ch = new LocalChannel(0, 2);
    let credits = 0;
    ch.onCredit = () => credits++;
    ch.send(batch('a'));
    ch.send(batch('b'));
    assert.equal(ch.credit(), 0);
    ch.poll();
    ch.releaseBatch();
    assert.equal(ch.credit(), 1);
    assert.equal(credits, 1);
    ch.poll();
    ch.releaseBatch();
    assert.equal(ch.credit(), 2);
    assert.equal(credits, 2);
  });

  void it('tells the receiver about every event', () => {
    const ch = new LocalChannel(0);
    const seen: string[] = [];
    ch.onData = () => seen.push(ch.hasData() ? 'data' : 'empty');
    ch.send(batch('a'));
    ch.send(END_OF_PARTITION);
    assert.deepEqual(seen, ['data', 'data']);
  });
});
