/**
 * InputGate: round-robin reading of its channels and the watermark valve (the minimum over
 * the channels that have not ended, never going back), as Flink's StatusWatermarkValve.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { END_OF_PARTITION } from '../../../src/runtime/network/channel-event.ts';
import { LocalChannel } from '../../../src/runtime/network/channel.ts';
import { InputGate } from '../../../src/runtime/network/input-gate.ts';

function gate(n: number): InputGate {
  return new InputGate(Array.from({ length: n }, (_, i) => new LocalChannel(i)));
}

void describe('InputGate watermark valve', () => {
  void it('advances to the minimum over all channels once every channel has one', () => {
    const g = gate(3);
    assert.equal(g.watermark(0, 10), undefined);
    assert.equal(g.watermark(1, 5), undefined);
    assert.equal(g.watermark(2, 7), 5);
    assert.equal(g.watermark(0, 12), undefined, 'the minimum (channel 1) did not move');
    assert.equal(g.watermark(1, 20), 7);
    assert.equal(g.watermark(2, 30), 12);
  });

  void it('ignores a channel watermark that goes back and never goes back itself', () => {
    const g = gate(2);
    g.watermark(0, 10);
    assert.equal(g.watermark(1, 10), 10);
    assert.equal(g.watermark(1, 3), undefined);
    assert.equal(g.watermark(0, 10), undefined, 'the same watermark again');
    assert.equal(g.watermark(0, 11), undefined, 'channel 1 is still at 10');
    assert.equal(g.watermark(1, 11), 11);
  });

  void it('excludes ended channels from the minimum', () => {
    const g = gate(3);
    g.watermark(0, 100);
    g.watermark(1, 50);
    assert.equal(g.channelEnded(2), 50, 'the idle channel held the watermark back');
    assert.equal(g.channelEnded(1), 100);
    assert.equal(g.channelEnded(1), undefined, 'ending twice changes nothing');
    assert.ok(!g.isFinished());
    assert.equal(g.watermark(0, 120), 120);
    assert.equal(g.channelEnded(0), undefined, 'no channel left: nothing to advance to');
    assert.ok(g.isFinished());
  });

  void it('ending a channel that is not the minimum leaves the watermark where it is', () => {
    const g = gate(2);
    g.watermark(0, 40);
    g.watermark(1, 40);
    g.watermark(1, 90);
    assert.equal(g.channelEnded(1), undefined);
    assert.equal(g.watermark(0, 41), 41);
  });
});

void describe('InputGate reading', () => {
  void it('reads channels round-robin and says which channel an event came from', () => {
    const chs = [new LocalChannel(0), new LocalChannel(1), new LocalChannel(2)];
    const g = new InputGate(chs);
    chs[0]!.send({ kind: 'watermark', timestamp: 1 });
    chs[0]!.send({ kind: 'watermark', timestamp: 2 });
    chs[2]!.send({ kind: 'watermark', timestamp: 3 });
    chs[1]!.send(END_OF_PARTITION);
    const order: [number, string][] = [];
    for (let e = g.poll(); e !== undefined; e = g.poll()) order.push([g.lastChannel, e.kind === 'watermark' ? `wm@${e.timestamp}` : e.kind]);
    assert.deepEqual(order, [
      [0, 'wm@1'],
      [1, 'end'],
      [2, 'wm@3'],
      [0, 'wm@2'],
    ]);
  });

  void it('is finished only when every channel ended', () => {
    const g = gate(2);
    assert.ok(!g.isFinished());
    g.channelEnded(0);
    assert.ok(!g.isFinished());
    g.channelEnded(1);
    assert.ok(g.isFinished());
  });
});
