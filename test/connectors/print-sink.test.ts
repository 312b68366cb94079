import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PrintSink } from '../../src/connectors/index.ts';

/** Runs `body` with process.stdout/stderr writes captured (synchronously, then restored). */
function capture(stream: 'stdout' | 'stderr', body: () => void): { text: string; writes: number } {
  const target = process[stream];
  const original = target.write;
  let text = '';
  let writes = 0;
  target.write = ((chunk: string | Uint8Array) => {
    text += String(chunk);
    writes++;
    return true;
  }) as typeof target.write;
  try {
    body();
  } finally {
    target.write = original;
  }
  return { text, writes };
}

void test('prints one line per record, prefixed by subtask+1 when parallel, in batched writes', () => {
  const out = capture('stdout', () => {
    const w1 = new PrintSink<unknown>().createWriter({ subtaskIndex: 1, parallelism: 2, operatorUid: 'p' });
    for (let i = 0; i < 250; i++) w1.write(i % 2 === 0 ? `s${i}` : { i, big: 10n }, 0);
    void w1.flush(true);
  });
  const lines = out.text.split('\n').slice(0, -1);
  assert.equal(lines.length, 250);
  assert.equal(lines[0], '2> s0');
  assert.equal(lines[1], '2> {"i":1,"big":10}');
  assert.ok(out.writes <= 3, `${out.writes} writes`);
});

void test('identifier prefix and stderr; no subtask prefix at parallelism 1', () => {
  const err = capture('stderr', () => {
    const single = new PrintSink<string>({ identifier: 'dbg', stderr: true }).createWriter({ subtaskIndex: 0, parallelism: 1, operatorUid: 'p' });
    single.write('a', 0);
    void single.close();
    const parallel = new PrintSink<number>({ identifier: 'dbg', stderr: true }).createWriter({ subtaskIndex: 2, parallelism: 4, operatorUid: 'p' });
    parallel.write(7, 0);
    void parallel.flush(false);
  });
  assert.equal(err.text, 'dbg> a\ndbg:3> 7\n');
  const out = capture('stdout', () => {
    const plain = new PrintSink<number[]>().createWriter({ subtaskIndex: 0, parallelism: 1, operatorUid: 'p' });
    plain.write([1, 2], 0);
    void plain.flush(true);
  });
  assert.equal(out.text, '[1,2]\n');
});
