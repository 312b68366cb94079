import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CsvTypes, FileSink, FileSource } from '../../src/connectors/index.ts';
import type { SinkWriter } from '../../src/core/sink.ts';
import { driveSource } from './drive-source.ts';

function outputDir(): string {
  return join(mkdtempSync(join(tmpdir(), 'rivulet-sink-')), 'out', 'nested');
}

function writers<T>(sink: FileSink<T>, parallelism: number): SinkWriter<T>[] {
  return Array.from({ length: parallelism }, (_, subtaskIndex) => sink.createWriter({ subtaskIndex, parallelism, operatorUid: 'test-sink' }));
}

interface Row {
  id: number;
  name: string | null;
  score: number;
}

void test('CSV part files: one per subtask, in progress until the end of input, then renamed', async () => {
  const dir = outputDir();
  const sink = FileSink.forCsv<Row>(dir, { columns: ['id', 'name', 'score'] });
  const [w0, w1] = writers(sink, 2) as [SinkWriter<Row>, SinkWriter<Row>];
  const tricky = ['plain', 'with, comma', 'with "quotes"', 'two\nlines', 'cr\r\nlf', '', ' spaced ', 'é日本'];
  const rows: Row[] = [];
  for (let i = 0; i < 20_000; i++) rows.push({ id: i, name: i % 97 === 0 ? null : tricky[i % tricky.length]!, score: i / 4 });
  rows.forEach((row, i) => (i % 3 === 0 ? w1 : w0).write(row, 0));

  await w0.flush(false);
  assert.deepEqual(readdirSync(dir).sort(), ['.part-0-0.csv.inprogress', '.part-1-0.csv.inprogress']);
  await w0.flush(true);
  assert.deepEqual(readdirSync(dir).sort(), ['.part-1-0.csv.inprogress', 'part-0-0.csv']);
  await w1.flush(true);
  await w0.close();
  await w1.close();
  assert.deepEqual(readdirSync(dir).sort(), ['part-0-0.csv', 'part-1-0.csv']);
  assert.ok(readFileSync(join(dir, 'part-1-0.csv'), 'utf8').startsWith('id,name,score\n0,,0\n'));

  // Read back with the CSV source: the sink's quoting round-trips; nulls come back as null.
  const schema = { id: CsvTypes.integer(), name: CsvTypes.string().nullable(), score: CsvTypes.number() };
  const { records } = await driveSource(FileSource.forCsv(dir, schema), { parallelism: 2 });
  const byId = [...records].sort((a, b) => a.id - b.id);
  assert.deepEqual(
    byId,
    rows.map((r) => ({ ...r, name: r.name === '' ? null : r.name })), // CSV has no empty string apart from null
  );
});

void test('CSV cells: format function, numbers, booleans, bigints, dates, nested values, delimiter', async () => {
  const dir = outputDir();
  const sink = FileSink.forCsv<{ when: Date; n: bigint; ok: boolean; tags: string[] }>(dir, {
    columns: ['when', 'n', 'ok', 'tags', 'missing'],
    delimiter: ';',
    format: (r) => [r.when, r.n, r.ok, r.tags, undefined],
  });
  const [w] = writers(sink, 1) as [SinkWriter<{ when: Date; n: bigint; ok: boolean; tags: string[] }>];
  w.write({ when: new Date(Date.UTC(2013, 0, 1, 5, 17)), n: 12345678901234567890n, ok: true, tags: ['a;b'] }, 0);
  await w.flush(true);
  assert.equal(readFileSync(join(dir, 'part-0-0.csv'), 'utf8'), 'when;n;ok;tags;missing\n2013-01-01T05:17:00.000Z;12345678901234567890;true;"[""a;b""]";\n');
});

void test('JSON Lines part files', async () => {
  const dir = outputDir();
  const sink = FileSink.forJsonLines<unknown>(dir);
  const [w0, w1] = writers(sink, 2) as [SinkWriter<unknown>, SinkWriter<unknown>];
  w0.write({ a: 1, b: 'x\ny' }, 0);
  w0.write({ big: 2n ** 64n, list: [1, null] }, 0);
  w0.write('text', 0);
  await w0.flush(true);
  await w1.flush(true); // no records: no part file, as Flink
  assert.deepEqual(readdirSync(dir), ['part-0-0.jsonl']);
  assert.equal(readFileSync(join(dir, 'part-0-0.jsonl'), 'utf8'), '{"a":1,"b":"x\\ny"}\n{"big":18446744073709551616,"list":[1,null]}\n"text"\n');
});

void test('closing without end of input leaves the part in progress', async () => {
  const dir = outputDir();
  const [w] = writers(FileSink.forJsonLines<number>(dir), 1) as [SinkWriter<number>];
  w.write(1, 0);
  await w.close();
  assert.deepEqual(readdirSync(dir), ['.part-0-0.jsonl.inprogress']);
  assert.equal(readFileSync(join(dir, '.part-0-0.jsonl.inprogress'), 'utf8'), '1\n');
  assert.equal(existsSync(join(dir, 'part-0-0.jsonl')), false);
});
