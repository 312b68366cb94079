/**
 * The watermark valve with watermark statuses (Flink's StatusWatermarkValve): idle channels
 * leave the minimum, a channel that turns active again rejoins once it caught up, all
 * channels idle make the task idle; and the status event crosses threads in order.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MessageChannel } from 'node:worker_threads';
import type { ChannelEvent } from '../../../src/runtime/network/channel-event.ts';
import { WATERMARK_STATUS_ACTIVE, WATERMARK_STATUS_IDLE } from '../../../src/runtime/network/channel-event.ts';
import { LocalChannel } from '../../../src/runtime/network/channel.ts';
import { InputGate } from '../../../src/runtime/network/input-gate.ts';
import { RemoteInputChannel, RemoteOutputChannel, ThreadNetwork } from '../../../src/runtime/network/remote-channel.ts';
import { StatusWatermarkValve } from '../../../src/runtime/network/status-watermark-valve.ts';

void describe('StatusWatermarkValve', () => {
  void it('an idle channel stops holding back the minimum', () => {
    const v = new StatusWatermarkValve(3);
    v.inputWatermark(0, 100);
    v.inputWatermark(1, 80);
    assert.equal(v.inputWatermark(2, 10), 10);
    assert.equal(v.inputWatermarkStatus(2, 'IDLE'), 80, 'the minimum of the other two');
    assert.equal(v.status(), 'ACTIVE');
    assert.equal(v.inputWatermark(2, 90), undefined, 'watermarks of an idle channel are ignored');
    assert.equal(v.inputWatermark(1, 120), 100);
  });

  void it('idleness of a channel that is not the minimum changes nothing', () => {
    const v = new StatusWatermarkValve(2);
    v.inputWatermark(0, 50);
    assert.equal(v.inputWatermark(1, 70), 50);
    assert.equal(v.inputWatermarkStatus(1, 'IDLE'), undefined);
    assert.equal(v.inputWatermarkStatus(1, 'IDLE'), undefined, 'repeated');
    assert.equal(v.inputWatermark(0, 60), 60);
  });

  void it('a channel that turns active again rejoins the minimum only once it caught up (it is unaligned before)', () => {
    const v = new StatusWatermarkValve(2);
    v.inputWatermark(0, 10);
    v.inputWatermark(1, 10);
    v.inputWatermarkStatus(1, 'IDLE');
    assert.equal(v.inputWatermark(0, 500), 500);
    v.inputWatermarkStatus(1, 'ACTIVE');
    assert.equal(v.inputWatermark(0, 600), 600, 'channel 1 (at 10) does not hold back yet');
    assert.equal(v.inputWatermark(1, 550), undefined, 'behind the task watermark: still unaligned');
    assert.equal(v.inputWatermark(1, 700), undefined, 'caught up: aligned, and channel 0 (600) is the minimum');
    assert.equal(v.inputWatermark(0, 800), 700, 'now channel 1 holds back');
  });

  void it('all channels idle: the task is idle, after flushing to the largest watermark; one active channel makes it active', () => {
    const v = new StatusWatermarkValve(2);
    v.inputWatermark(0, 300);
    assert.equal(v.inputWatermark(1, 100), 100);
    assert.equal(v.inputWatermarkStatus(0, 'IDLE'), undefined, 'channel 0 was not the minimum');
    assert.equal(v.status(), 'ACTIVE');
    assert.equal(v.inputWatermarkStatus(1, 'IDLE'), 300, 'no channel will advance any more: flush to the maximum');
    assert.equal(v.status(), 'IDLE');
    assert.equal(v.inputWatermarkStatus(0, 'ACTIVE'), undefined);
    assert.equal(v.status(), 'ACTIVE');
    assert.equal(v.inputWatermark(0, 400), 400);
  });

  void it('an ended channel leaves the minimum; if the rest are idle the task is idle', () => {
    const v = new StatusWatermarkValve(3);
    v.inputWatermark(0, 10);
    v.inputWatermark(1, 20);
    v.inputWatermark(2, 30);
    v.inputWatermarkStatus(2, 'IDLE');
    v.inputWatermarkStatus(1, 'IDLE');
    assert.equal(v.currentWatermark(), 10);
    assert.equal(v.channelEnded(0), undefined);
    assert.equal(v.status(), 'IDLE');
    assert.equal(v.inputWatermarkStatus(0, 'ACTIVE'), undefined, 'an ended channel says nothing any more');
    assert.equal(v.status(), 'IDLE');
  });
});

void describe('InputGate with watermark statuses', () => {
  void it('reports the task status; its existing watermark API is unchanged', () => {
    const g = new InputGate([new LocalChannel(0), new LocalChannel(1)]);
    assert.equal(g.watermark(0, 5), undefined);
    assert.equal(g.watermark(1, 7), 5);
    assert.equal(g.watermarkStatus(0, 'IDLE'), 7);
    assert.equal(g.status(), 'ACTIVE');
    g.watermarkStatus(1, 'IDLE');
    assert.equal(g.status(), 'IDLE');
    assert.equal(g.channelEnded(1), undefined);
    assert.equal(g.status(), 'IDLE');
  });
});

void it('the watermark status crosses threads in order with records and watermarks', async () => {
  const { port1, port2 } = new MessageChannel();
  try {
    const sender = new ThreadNetwork();
    const receiver = new ThreadNetwork();
    sender.attach(port1);
    receiver.attach(port2);
    const out = new RemoteOutputChannel(7, port1);
    const input = new RemoteInputChannel(7, port2);
    sender.registerOutput(out);
    receiver.registerInput(input);
    const sent: ChannelEvent[] = [
      { kind: 'records', values: ['a'], timestamps: [1] },
      WATERMARK_STATUS_IDLE,
      WATERMARK_STATUS_ACTIVE,
      { kind: 'watermark', timestamp: 5 },
    ];
    const got: ChannelEvent[] = [];
    const all = new Promise<void>((resolve) => {
      input.onData = () => {
        for (let e = input.poll(); e !== undefined; e = input.poll()) got.push(e);
        if (got.length === sent.length) resolve();
      };
    });
    for (const e of sent) out.send(e);
    await all;
    assert.deepEqual(got, sent);
  } finally {
    port1.close();
    port2.close();
  }
});
