/**
 * SendQueue and BufferMemory without a broker: records count against buffer.memory from
 * `add` until their request is answered; the memory is unavailable while over its limit and
 * available again when acknowledgements free it; a failed request frees its queue's bytes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MessageToProduce } from '@platformatic/kafka';
import { BufferMemory, SendQueue } from '../../../src/connectors/kafka/sink/send-queue.ts';

/** A send whose requests the test answers one by one. */
function manualSend(): { send: (m: MessageToProduce[]) => Promise<unknown>; requests: { messages: MessageToProduce[]; answer: PromiseWithResolvers<void> }[] } {
  const requests: { messages: MessageToProduce[]; answer: PromiseWithResolvers<void> }[] = [];
  return {
    requests,
    send: (messages) => {
      const answer = Promise.withResolvers<void>();
      requests.push({ messages, answer });
      return answer.promise;
    },
  };
}

const record = (i: number): MessageToProduce => ({ topic: 't', partition: 0, value: Buffer.alloc(100, i) });

void test('buffer memory: unavailable over the limit, available again when requests are answered', async () => {
  const memory = new BufferMemory(1000);
  const { send, requests } = manualSend();
  const q = new SendQueue(send, memory);
  q.add(record(0)); // sent at once: 164 bytes held
  assert.equal(memory.isAvailable(), true);
  for (let i = 1; i < 10; i++) q.add(record(i)); // waiting for the next request
  assert.equal(memory.used, 10 * 164);
  const unavailable = memory.isAvailable();
  assert.ok(unavailable instanceof Promise);
  let resolved = false;
  void unavailable.then(() => (resolved = true));
  requests[0]!.answer.resolve();
  await new Promise((r) => setImmediate(r));
  assert.equal(memory.used, 9 * 164, 'the first request freed its record');
  assert.equal(resolved, false, 'still over the limit');
  assert.equal(requests.length, 2, 'the waiting records went in the next request');
  requests[1]!.answer.resolve();
  await unavailable;
  assert.equal(memory.used, 0);
  assert.equal(memory.isAvailable(), true);
  await q.drain();
});

void test('buffer memory: a failed request frees what its queue holds, so the writer sees the failure at its next write', async () => {
  const memory = new BufferMemory(100);
  const { send, requests } = manualSend();
  const q = new SendQueue(send, memory);
  for (let i = 0; i < 5; i++) q.add(record(i));
  const unavailable = memory.isAvailable();
  assert.ok(unavailable instanceof Promise);
  requests[0]!.answer.reject(new Error('broker gone'));
  await unavailable;
  assert.equal(memory.used, 0);
  assert.ok(q.failure instanceof Error);
  q.add(record(5)); // after a failure: not counted, never sent
  assert.equal(memory.used, 0);
  await assert.rejects(q.drain(), /broker gone/);
});
