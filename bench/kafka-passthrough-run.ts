/**
 * One measured contender of `npm run bench:kafka`, in a fresh process:
 *
 *   node bench/kafka-passthrough-run.ts loop <bootstrap> <in> <out> <records>
 *   node bench/kafka-passthrough-run.ts rivulet <bootstrap> <in> <out> <records> <p> <guarantee> [checkpointMs]
 *
 * `loop` is the hand-written pass-through a user would write with @platformatic/kafka: a
 * group consumer from earliest, each fetched message appended to a batch, the batch
 * produced (acks = all, idempotent, the library's defaults otherwise) when it reaches 1,000
 * messages or the stream pauses. Prints one JSON line: wall and CPU ms (user + system of all
 * threads) from before the clients connect / the job module loads to the last record acknowledged.
 */
import { join } from 'node:path';
import { Consumer, Producer, ProduceAcks } from '@platformatic/kafka';
import type { MessageToProduce } from '@platformatic/kafka';
import { runJobInProcess } from './run-job-in-process.ts';

const [mode, bootstrap, input, output, recordsArg, pArg, guarantee, checkpointMs] = process.argv.slice(2);
if (mode === undefined || bootstrap === undefined || input === undefined || output === undefined || recordsArg === undefined) {
  throw new Error('usage: kafka-passthrough-run.ts <loop|rivulet> <bootstrap> <in> <out> <records> [p guarantee [checkpointMs]]');
}
const records = Number(recordsArg);

async function handwrittenLoop(): Promise<void> {
  const brokers = bootstrap!.split(',');
  const consumer = new Consumer({ clientId: 'bench-loop', groupId: `bench-loop-${output}`, bootstrapBrokers: brokers, autocommit: false, maxWaitTime: 50 });
  const producer = new Producer({ clientId: 'bench-loop-out', bootstrapBrokers: brokers, idempotent: true, acks: ProduceAcks.ALL });
  const stream = await consumer.consume({ topics: [input!], mode: 'earliest' });
  let batch: MessageToProduce<Buffer, Buffer, Buffer, Buffer>[] = [];
  let seen = 0;
  for await (const m of stream) {
    batch.push({ topic: output!, value: m.value as Buffer });
    seen++;
    if (batch.length >= 1000 || seen === records) {
      const sending = batch;
      batch = [];
      await producer.send({ messages: sending });
    }
    if (seen === records) break;
  }
  await stream.close();
  await Promise.all([consumer.close(), producer.close()]);
}

const cpu0 = process.cpuUsage();
const t0 = performance.now();
if (mode === 'loop') {
  await handwrittenLoop();
} else {
  const p = Number(pArg);
  const args = ['--bootstrap-servers', bootstrap, '--input-topic', input, '--output-topic', output, '--guarantee', guarantee ?? 'AT_LEAST_ONCE'];
  if (checkpointMs !== undefined) args.push('--checkpoint-interval', checkpointMs);
  await runJobInProcess(join(import.meta.dirname, 'kafka-passthrough-job.ts'), args, p);
}
const wall = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
console.log(JSON.stringify({ mode, wallMs: wall, cpuMs: (cpu.user + cpu.system) / 1000 }));
