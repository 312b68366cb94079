/**
 * RecordWriter: per-channel batching, channel selection by partitioner, control events
 * after the records before them, and the backlog that holds batches while a channel has
 * no credit (backpressure).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PartitionerSpec } from '../../../src/graph/partitioner.ts';
import type { ChannelEvent, RecordBatch } from '../../../src/runtime/network/channel-event.ts';
import { END_OF_PARTITION } from '../../../src/runtime/network/channel-event.ts';
import { LocalChannel } from '../../../src/runtime/network/channel.ts';
import { RecordWriter } from '../../../src/runtime/network/record-writer.ts';
import { assignToKeyGroup, computeOperatorIndexForKeyGroup } from '../../../src/runtime/state/key-groups.ts';

function writer(
  channels: readonly LocalChannel[],
  options: { partitioner?: PartitionerSpec; batchSize?: number; subtaskIndex?: number; maxParallelism?: number; onCredit?: () => void } = {},
): RecordWriter {
  return new RecordWriter({
    channels,
    partitioner: options.partitioner ?? { kind: 'forward' },
    maxParallelism: options.maxParallelism ?? 128,
    batchSize: options.batchSize ?? 512,
    subtaskIndex: options.subtaskIndex ?? 0,
    onCredit: options.onCredit ?? (() => {}),
  });
}

function channels(n: number, capacity?: number): LocalChannel[] {
  return Array.from({ length: n }, (_, i) => new LocalChannel(i, capacity));
}

/** Everything queued on a channel, without returning credit. */
function drain(ch: LocalChannel): ChannelEvent[] {
  const out: ChannelEvent[] = [];
  for (let e = ch.poll(); e !== undefined; e = ch.poll()) out.push(e);
  return out;
}

/** Events as short strings: `[a,b]` for a batch, `wm@5`, `end`. */
function describeEvents(events: readonly ChannelEvent[]): string[] {
  return events.map((e) => {
    switch (e.kind) {
      case 'records':
        return `[${e.values.join(',')}]`;
      case 'watermark':
        return `wm@${e.timestamp}`;
      case 'watermarkStatus':
        return e.status;
      case 'end':
        return 'end';
      case 'barrier':
        return `barrier#${e.checkpointId}`;
    }
  });
}

void describe('RecordWriter batching', () => {
  void it('sends a batch when it reaches the batch size, with values and timestamps side by side', () => {
    const [ch] = channels(1);
    const w = writer([ch!], { batchSize: 3 });
    for (let i = 0; i < 7; i++) w.emit(`r${i}`, 100 + i);
    const sent = drain(ch!) as RecordBatch[];
    assert.equal(sent.length, 2);
    assert.deepEqual(sent[0], { kind: 'records', values: ['r0', 'r1', 'r2'], timestamps: [100, 101, 102] });
    assert.deepEqual(sent[1], { kind: 'records', values: ['r3', 'r4', 'r5'], timestamps: [103, 104, 105] });
    assert.equal(w.recordsOut, 7);
  });

  void it('flushAll() sends the partly filled batches and nothing for empty ones', () => {
    const chs = channels(3);
    const w = writer(chs, { partitioner: { kind: 'rebalance' }, batchSize: 10 });
    for (let i = 0; i < 4; i++) w.emit(i, 0);
    assert.ok(chs.every((c) => !c.hasData()));
    w.flushAll();
    assert.deepEqual(chs.map((c) => describeEvents(drain(c))), [['[0,3]'], ['[1]'], ['[2]']]);
    w.flushAll();
    assert.ok(chs.every((c) => !c.hasData()));
  });

  void it('a batch is a fresh array: later records do not change a sent batch', () => {
    const [ch] = channels(1);
    const w = writer([ch!], { batchSize: 2 });
    w.emit('a', 0);
    w.emit('b', 0);
    const [first] = drain(ch!) as RecordBatch[];
    w.emit('c', 0);
    w.flushAll();
    assert.deepEqual(first!.values, ['a', 'b']);
    assert.deepEqual(describeEvents(drain(ch!)), ['[c]']);
  });
});

void describe('RecordWriter channel selection', () => {
  void it('rebalance deals round-robin, starting at the channel of the sender subtask', () => {
    const chs = channels(3);
    const w = writer(chs, { partitioner: { kind: 'rebalance' }, subtaskIndex: 4 });
    for (let i = 0; i < 6; i++) w.emit(i, 0);
    w.flushAll();
    assert.deepEqual(chs.map((c) => describeEvents(drain(c))), [['[2,5]'], ['[0,3]'], ['[1,4]']]);
  });

  void it('broadcast puts each record on every channel; global on the first', () => {
    const b = channels(3);
    const wb = writer(b, { partitioner: { kind: 'broadcast' } });
    wb.emit('x', 1);
    wb.emit('y', 2);
    wb.flushAll();
    assert.deepEqual(b.map((c) => describeEvents(drain(c))), [['[x,y]'], ['[x,y]'], ['[x,y]']]);
    assert.equal(wb.recordsOut, 2);

    const g = channels(3);
    const wg = writer(g, { partitioner: { kind: 'global' } });
    for (let i = 0; i < 5; i++) wg.emit(i, 0);
    wg.flushAll();
    assert.deepEqual(g.map((c) => describeEvents(drain(c))), [['[0,1,2,3,4]'], [], []]);
  });

  void it('hash sends a record to the channel of its key group', () => {
    const chs = channels(4);
    const keySelector = (s: unknown): string => (s as string).split(':')[0]!;
    const w = writer(chs, { partitioner: { kind: 'hash', keySelector }, maxParallelism: 32 });
    const records = ['JFK:1', 'LGA:2', 'EWR:3', 'JFK:4', 'SFO:5', 'LGA:6', 'BOS:7', 'ORD:8'];
    for (const r of records) w.emit(r, 0);
    w.flushAll();
    const got = chs.map((c) => drain(c).flatMap((e) => (e.kind === 'records' ? e.values : [])));
    got.forEach((values, channel) => {
      for (const v of values) assert.equal(channel, computeOperatorIndexForKeyGroup(32, 4, assignToKeyGroup(keySelector(v), 32)), String(v));
    });
    assert.equal(got.flat().length, records.length);
  });
});

void describe('RecordWriter control events', () => {
  void it('broadcastEvent() sends pending records first, then the event, on every channel', () => {
    const chs = channels(2);
    const w = writer(chs, { partitioner: { kind: 'rebalance' } });
    w.emit('a', 1);
    w.emit('b', 2);
    w.emit('c', 3);
    w.broadcastEvent({ kind: 'watermark', timestamp: 3 });
    w.emit('d', 4);
    w.broadcastEvent(END_OF_PARTITION);
    assert.deepEqual(describeEvents(drain(chs[0]!)), ['[a,c]', 'wm@3', 'end']);
    assert.deepEqual(describeEvents(drain(chs[1]!)), ['[b]', 'wm@3', '[d]', 'end']);
  });

  void it('control events take no credit', () => {
    const [ch] = channels(1, 1);
    const w = writer([ch!], { batchSize: 1 });
    w.emit('a', 0);
    assert.equal(ch!.credit(), 0);
    w.broadcastEvent({ kind: 'watermark', timestamp: 1 });
    assert.deepEqual(describeEvents(drain(ch!)), ['[a]', 'wm@1']);
    assert.equal(ch!.credit(), 0);
  });
});

void describe('RecordWriter backpressure', () => {
  void it('keeps batches without credit in a backlog and reports itself unavailable', () => {
    const [ch] = channels(1, 2);
    const w = writer([ch!], { batchSize: 1 });
    assert.ok(w.isAvailable());
    w.emit('a', 0);
    assert.ok(w.isAvailable(), 'one credit left');
    w.emit('b', 0);
    assert.equal(ch!.credit(), 0);
    assert.ok(!w.isAvailable(), 'no credit: the task must stop taking input');
    assert.ok(w.isDrained(), 'nothing waits yet');
    w.emit('c', 0);
    w.emit('d', 0);
    assert.ok(!w.isDrained());
    assert.ok(!w.isAvailable());
    // Only the two batches that had credit reached the channel.
    const queued: ChannelEvent[] = [ch!.poll()!, ch!.poll()!];
    assert.equal(ch!.poll(), undefined);
    assert.deepEqual(describeEvents(queued), ['[a]', '[b]']);
  });

  void it('drains the backlog in order as credit returns, and tells the task', () => {
    const [ch] = channels(1, 1);
    let notified = 0;
    const w = writer([ch!], { batchSize: 1, onCredit: () => notified++ });
    w.emit('a', 0);
    w.emit('b', 0);
    w.emit('c', 0);
    w.broadcastEvent({ kind: 'watermark', timestamp: 9 });
    w.emit('d', 0);
    assert.ok(!w.isAvailable());

    const received: ChannelEvent[] = [];
    // The consumer: take what is queued, hand back a credit per record batch.
    const consume = (): void => {
      for (let e = ch!.poll(); e !== undefined; e = ch!.poll()) {
        received.push(e);
        if (e.kind === 'records') ch!.releaseBatch();
      }
    };
    consume();
    assert.ok(notified > 0);
    for (let rounds = 0; rounds < 10 && !w.isDrained(); rounds++) consume();
    consume();
    assert.ok(w.isDrained());
    assert.ok(w.isAvailable());
    assert.equal(ch!.credit(), 1);
    assert.deepEqual(describeEvents(received), ['[a]', '[b]', '[c]', 'wm@9', '[d]']);
  });

  void it('one channel without credit blocks the writer while the others still receive', () => {
    const chs = channels(2, 1);
    const w = writer(chs, { partitioner: { kind: 'rebalance' }, batchSize: 1 });
    w.emit('a', 0); // channel 0
    w.emit('b', 0); // channel 1
    chs[1]!.poll();
    chs[1]!.releaseBatch();
    w.emit('c', 0); // channel 0: no credit -> backlog
    w.emit('d', 0); // channel 1: has credit -> sent
    assert.ok(!w.isAvailable());
    assert.deepEqual(describeEvents(drain(chs[1]!)), ['[d]']);
    assert.deepEqual(describeEvents([chs[0]!.poll()!]), ['[a]']);
    assert.equal(chs[0]!.poll(), undefined);
    chs[0]!.releaseBatch();
    assert.deepEqual(describeEvents(drain(chs[0]!)), ['[c]']);
    assert.ok(w.isDrained());
  });
});
