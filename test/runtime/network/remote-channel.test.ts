/**
 * Remote channels over a real MessageChannel (the transport between worker threads):
 * record batches are serialized and transferred, control events and credits travel on the
 * same port, and everything arrives in the order it was sent.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { MessageChannel } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { NO_TIMESTAMP } from '../../../src/core/time.ts';
import type { ChannelEvent, RecordBatch } from '../../../src/runtime/network/channel-event.ts';
import { END_OF_PARTITION } from '../../../src/runtime/network/channel-event.ts';
import { RemoteInputChannel, RemoteOutputChannel, ThreadNetwork } from '../../../src/runtime/network/remote-channel.ts';
import { REMOTE_CHANNEL_CAPACITY } from '../../../src/runtime/network/channel.ts';

const openPorts: MessagePort[] = [];

afterEach(() => {
  for (const p of openPorts.splice(0)) p.close();
});

/** Two "threads" joined by one MessageChannel, each with its ThreadNetwork. */
function link(): { sender: ThreadNetwork; receiver: ThreadNetwork; senderPort: MessagePort; receiverPort: MessagePort } {
  const { port1, port2 } = new MessageChannel();
  openPorts.push(port1, port2);
  const sender = new ThreadNetwork();
  const receiver = new ThreadNetwork();
  sender.attach(port1);
  receiver.attach(port2);
  return { sender, receiver, senderPort: port1, receiverPort: port2 };
}

function channelPair(id: number, capacity?: number): { out: RemoteOutputChannel; input: RemoteInputChannel; link: ReturnType<typeof link> } {
  const l = link();
  const out = new RemoteOutputChannel(id, l.senderPort, capacity);
  const input = new RemoteInputChannel(id, l.receiverPort);
  l.sender.registerOutput(out);
  l.receiver.registerInput(input);
  return { out, input, link: l };
}

/** Resolves with the next `n` events of the channel, in arrival order. */
function receive(input: RemoteInputChannel, n: number): Promise<ChannelEvent[]> {
  const got: ChannelEvent[] = [];
  return new Promise((resolve) => {
    const take = (): void => {
      for (let e = input.poll(); e !== undefined && got.length < n; e = input.poll()) got.push(e);
      if (got.length === n) resolve(got);
    };
    input.onData = take;
    take();
  });
}

/** Resolves once the output channel holds `credit` credits. */
function creditReaches(out: RemoteOutputChannel, credit: number): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (out.credit() === credit) resolve();
    };
    out.onCredit = check;
    check();
  });
}

const batch = (values: unknown[], timestamps = values.map((_, i) => i)): RecordBatch => ({ kind: 'records', values, timestamps });

void describe('remote channels', () => {
  void it('carry records, watermarks, barriers and the end of partition in order', async () => {
    const { out, input } = channelPair(7);
    const records = [
      { origin: 'JFK', dest: 'LAX', delay: -3, late: false, at: 1357016400000 },
      { origin: 'LGA', dest: 'ORD', delay: 12.5, late: true, at: 1357016460000 },
    ];
    out.send(batch(records, [1357016400000, NO_TIMESTAMP]));
    out.send({ kind: 'watermark', timestamp: 1357016399999 });
    out.send(batch(['a', 'b', 'c']));
    out.send({ kind: 'barrier', checkpointId: 3, timestamp: 42 });
    out.send(batch([[1, 'x'], null, 7n]));
    out.send(END_OF_PARTITION);
    const events = await receive(input, 6);
    assert.deepEqual(events, [
      { kind: 'records', values: records, timestamps: [1357016400000, NO_TIMESTAMP] },
      { kind: 'watermark', timestamp: 1357016399999 },
      { kind: 'records', values: ['a', 'b', 'c'], timestamps: [0, 1, 2] },
      { kind: 'barrier', checkpointId: 3, timestamp: 42 },
      { kind: 'records', values: [[1, 'x'], null, 7n], timestamps: [0, 1, 2] },
      END_OF_PARTITION,
    ]);
    assert.ok(!input.hasData());
  });

  void it('copies records: the receiver never sees the sender objects', async () => {
    const { out, input } = channelPair(1);
    const record = { id: 1, tags: ['a'] };
    out.send(batch([record]));
    const [e] = await receive(input, 1);
    assert.ok(e?.kind === 'records');
    assert.deepEqual(e.values[0], record);
    assert.notEqual(e.values[0], record);
  });

  void it('keeps many batches of the same record shape in order', async () => {
    const { out, input } = channelPair(2, 100);
    const n = 50;
    for (let b = 0; b < n; b++) out.send(batch(Array.from({ length: 20 }, (_, i) => ({ b, i, key: `k${i % 3}` }))));
    const events = await receive(input, n);
    events.forEach((e, b) => {
      assert.ok(e.kind === 'records');
      assert.equal(e.values.length, 20);
      assert.deepEqual(e.values[19], { b, i: 19, key: 'k1' });
    });
  });

  void it('takes a credit per record batch and gets it back when the receiver releases the batch', async () => {
    const { out, input } = channelPair(5, 2);
    out.send(batch([1]));
    out.send({ kind: 'watermark', timestamp: 1 });
    out.send(batch([2]));
    assert.equal(out.credit(), 0);
    const events = await receive(input, 3);
    assert.deepEqual(
      events.map((e) => e.kind),
      ['records', 'watermark', 'records'],
    );
    assert.equal(out.credit(), 0, 'credit returns only on release');
    input.releaseBatch();
    await creditReaches(out, 1);
    input.releaseBatch();
    await creditReaches(out, 2);
  });

  void it('routes channels that share one port by id, each in its own order', async () => {
    const l = link();
    const outs = [10, 11].map((id) => new RemoteOutputChannel(id, l.senderPort));
    const ins = [10, 11].map((id) => new RemoteInputChannel(id, l.receiverPort));
    for (const o of outs) l.sender.registerOutput(o);
    for (const i of ins) l.receiver.registerInput(i);
    outs[0]!.send(batch(['a1']));
    outs[1]!.send(batch(['b1']));
    outs[1]!.send({ kind: 'watermark', timestamp: 5 });
    outs[0]!.send(batch(['a2']));
    outs[0]!.send(END_OF_PARTITION);
    outs[1]!.send(END_OF_PARTITION);
    const [a, b] = await Promise.all([receive(ins[0]!, 3), receive(ins[1]!, 3)]);
    const show = (es: ChannelEvent[]): string[] => es.map((e) => (e.kind === 'records' ? String(e.values) : e.kind));
    assert.deepEqual(show(a!), ['a1', 'a2', 'end']);
    assert.deepEqual(show(b!), ['b1', 'watermark', 'end']);
    ins[1]!.releaseBatch();
    await creditReaches(outs[1]!, REMOTE_CHANNEL_CAPACITY);
    assert.equal(outs[0]!.credit(), REMOTE_CHANNEL_CAPACITY - 2, 'the other channel keeps its own credit');
  });

  void it('credits and data flow both ways over one port pair', async () => {
    // Thread A sends on channel 1 and receives on channel 2; thread B the other way round.
    const l = link();
    const aOut = new RemoteOutputChannel(1, l.senderPort, 1);
    const aIn = new RemoteInputChannel(2, l.senderPort);
    const bOut = new RemoteOutputChannel(2, l.receiverPort, 1);
    const bIn = new RemoteInputChannel(1, l.receiverPort);
    l.sender.registerOutput(aOut);
    l.sender.registerInput(aIn);
    l.receiver.registerOutput(bOut);
    l.receiver.registerInput(bIn);
    aOut.send(batch(['ping']));
    bOut.send(batch(['pong']));
    const [[toB], [toA]] = await Promise.all([receive(bIn, 1), receive(aIn, 1)]);
    assert.deepEqual(toB, batch(['ping'], [0]));
    assert.deepEqual(toA, batch(['pong'], [0]));
    bIn.releaseBatch();
    aIn.releaseBatch();
    await Promise.all([creditReaches(aOut, 1), creditReaches(bOut, 1)]);
  });
});
