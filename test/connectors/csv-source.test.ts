import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync, gunzipSync } from 'node:zlib';
import { RivuletError } from '../../src/core/errors.ts';
import { InputStatus } from '../../src/core/source.ts';
import type { ReaderOutput } from '../../src/core/source.ts';
import { CsvTypes, FileSource } from '../../src/connectors/index.ts';
import type { MalformedRow } from '../../src/connectors/index.ts';
import { driveSource } from './drive-source.ts';

const FLIGHTS = existsSync('data/nycflights13/flights_2013.csv.gz')
  ? 'data/nycflights13/flights_2013.csv.gz'
  : '/work/shared/data/nycflights13/flights_2013.csv.gz';
const FIXTURES = 'test/fixtures/connectors';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'rivulet-csv-'));
}

/** Rivulet errors carry a code and a context; assert.rejects matches them with this. */
function rivuletError(code: string, ...fragments: string[]): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof RivuletError, `expected a RivuletError, got ${String(e)}`);
    assert.equal(e.code, code);
    for (const fragment of fragments) assert.ok(e.message.includes(fragment), `message lacks ${JSON.stringify(fragment)}: ${e.message}`);
    return true;
  };
}

const flightSchema = {
  dep_epoch: CsvTypes.number().nullable(),
  dep_delay: CsvTypes.number().nullable(),
  origin: CsvTypes.string(),
  distance: CsvTypes.integer(),
};

/** The flights file read the naive way: whole file gunzipped, split on line breaks and commas. */
function naiveFlights(): { rows: number; delaySum: number; cancelled: number; distanceSum: number; perOrigin: Map<string, number> } {
  const lines = gunzipSync(readFileSync(FLIGHTS)).toString('utf8').split('\n');
  const header = lines[0]!.trim().split(',');
  const col = (name: string): number => header.indexOf(name);
  let rows = 0;
  let delaySum = 0;
  let cancelled = 0;
  let distanceSum = 0;
  const perOrigin = new Map<string, number>();
  for (const line of lines.slice(1)) {
    if (line.trim() === '') continue;
    const f = line.replace(/\r$/, '').split(',');
    rows++;
    if (f[col('dep_delay')] !== '') delaySum += Number(f[col('dep_delay')]);
    if (f[col('dep_epoch')] === '') cancelled++;
    distanceSum += Number(f[col('distance')]);
    const origin = f[col('origin')]!;
    perOrigin.set(origin, (perOrigin.get(origin) ?? 0) + 1);
  }
  return { rows, delaySum, cancelled, distanceSum, perOrigin };
}

void test('reads the flights file as a naive whole-file parse does', async () => {
  const expected = naiveFlights();
  const result = await driveSource(FileSource.forCsv(FLIGHTS, flightSchema), { parallelism: 2 });
  const rows = result.records;
  assert.equal(rows.length, expected.rows);
  assert.equal(rows.length, 336_776);
  assert.equal(rows.reduce((s, r) => s + (r.dep_delay ?? 0), 0), expected.delaySum);
  assert.equal(rows.filter((r) => r.dep_epoch === null).length, expected.cancelled);
  assert.equal(rows.reduce((s, r) => s + r.distance, 0), expected.distanceSum);
  const perOrigin = new Map<string, number>();
  for (const r of rows) perOrigin.set(r.origin, (perOrigin.get(r.origin) ?? 0) + 1);
  assert.deepEqual(perOrigin, expected.perOrigin);
  // Only schema columns are present, in schema order.
  assert.deepEqual(Object.keys(rows[0]!), ['dep_epoch', 'dep_delay', 'origin', 'distance']);
  assert.deepEqual(rows[0], { dep_epoch: 1357035420, dep_delay: 2, origin: 'EWR', distance: 1400 });
  // One file is one split: one reader got it, the other none.
  assert.deepEqual(result.splitsBySubtask.map((s) => s.length).sort(), [0, 1]);
  assert.ok(result.maxRecordsPerPoll <= 4096, `a poll emitted ${result.maxRecordsPerPoll} records`);
  const size = readFileSync(FLIGHTS).length;
  assert.equal(result.metrics.reduce((s, m) => s + m.bytesRead, 0), size);
  assert.equal(result.metrics.reduce((s, m) => s + (m.bytesTotal ?? 0), 0), size);
});

void test('gzip is recognised by its magic bytes, not the file name', async () => {
  const dir = tempDir();
  const text = 'a,b\n1,x\n2,y\n3,z\n';
  writeFileSync(join(dir, 'plain.csv'), text);
  writeFileSync(join(dir, 'zipped.csv'), gzipSync(text)); // gzip without .gz
  const schema = { a: CsvTypes.integer(), b: CsvTypes.string() };
  const plain = await driveSource(FileSource.forCsv(join(dir, 'plain.csv'), schema));
  const zipped = await driveSource(FileSource.forCsv(join(dir, 'zipped.csv'), schema));
  assert.deepEqual(zipped.records, plain.records);
  assert.deepEqual(plain.records, [
    { a: 1, b: 'x' },
    { a: 2, b: 'y' },
    { a: 3, b: 'z' },
  ]);
});

void test('RFC-4180 quotes: delimiters, doubled quotes, line breaks inside quotes; CRLF', async () => {
  const schema = { id: CsvTypes.integer(), name: CsvTypes.string(), note: CsvTypes.string().nullable(), score: CsvTypes.number() };
  const { records } = await driveSource(FileSource.forCsv(join(FIXTURES, 'quoted.csv'), schema));
  assert.deepEqual(records, [
    { id: 1, name: 'plain', note: 'simple', score: 1.5 },
    { id: 2, name: 'Smith, John', note: 'said "hi"', score: 2 },
    { id: 3, name: 'multi\r\nline', note: 'x', score: -3 },
    { id: 4, name: '', note: null, score: 400 },
  ]);
});

void test('columns are found by header name; unnamed columns are skipped; header: false uses schema order', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'h.csv'), 'z,b,y,a\n0,B1,0,1\n0,B2,0,2');
  writeFileSync(join(dir, 'n.csv'), '1;B1\n2;B2\n\n');
  const withHeader = await driveSource(FileSource.forCsv(join(dir, 'h.csv'), { a: CsvTypes.integer(), b: CsvTypes.string() }));
  assert.deepEqual(withHeader.records, [
    { a: 1, b: 'B1' },
    { a: 2, b: 'B2' },
  ]);
  const noHeader = await driveSource(
    FileSource.forCsv(join(dir, 'n.csv'), { a: CsvTypes.integer(), b: CsvTypes.string() }, { header: false, delimiter: ';' }),
  );
  assert.deepEqual(noHeader.records, withHeader.records);
  const picked = await driveSource(
    FileSource.forCsv(join(dir, 'h.csv'), { a: CsvTypes.string() }, { header: false, columns: ['z', 'b', 'y', 'a'] }),
  );
  assert.deepEqual(picked.records, [{ a: 'a' }, { a: '1' }, { a: '2' }]);
});

void test('a schema column missing from the header fails, naming the file and the column', async () => {
  const path = join(FIXTURES, 'malformed.csv');
  await assert.rejects(
    driveSource(FileSource.forCsv(path, { origin: CsvTypes.string(), dest: CsvTypes.string() })),
    rivuletError('INVALID_ARGUMENT', path, '"dest"', '"origin", "dep_delay", "flag"'),
  );
});

void test('empty fields: null when nullable, "" for a string, malformed for a non-nullable number', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'e.csv'), 'n,s,b\n,,\n');
  const nullable = { n: CsvTypes.number().nullable(), s: CsvTypes.string(), b: CsvTypes.boolean().nullable() };
  assert.deepEqual((await driveSource(FileSource.forCsv(join(dir, 'e.csv'), nullable))).records, [{ n: null, s: '', b: null }]);
  await assert.rejects(
    driveSource(FileSource.forCsv(join(dir, 'e.csv'), { n: CsvTypes.number() })),
    rivuletError('MALFORMED_RECORD', 'line 2', 'column "n"', '.nullable()'),
  );
});

void test('values: numbers as Number() reads them, integers whole, booleans true/false/1/0', async () => {
  const dir = tempDir();
  const numbers = ['0', '-0', '12', '-7.25', '+3', '0.1', '123456789012345', '1234567890123456789', '1e-7', ' 42 ', '.5', '5.', '-1.5E3', '0.30000000000000004'];
  writeFileSync(join(dir, 'v.csv'), 'x\n' + numbers.join('\n') + '\n');
  const { records } = await driveSource(FileSource.forCsv(join(dir, 'v.csv'), { x: CsvTypes.number() }));
  assert.deepEqual(
    records.map((r) => r.x),
    numbers.map((n) => Number(n)),
  );
  writeFileSync(join(dir, 'b.csv'), 'f,i\ntrue,1\nFALSE,-2\n1,3\n0,4\n');
  const booleans = await driveSource(FileSource.forCsv(join(dir, 'b.csv'), { f: CsvTypes.boolean(), i: CsvTypes.integer() }));
  assert.deepEqual(booleans.records, [
    { f: true, i: 1 },
    { f: false, i: -2 },
    { f: true, i: 3 },
    { f: false, i: 4 },
  ]);
  writeFileSync(join(dir, 'i.csv'), 'i\n1\n2.5\n');
  await assert.rejects(
    driveSource(FileSource.forCsv(join(dir, 'i.csv'), { i: CsvTypes.integer() })),
    rivuletError('MALFORMED_RECORD', 'line 3', 'column "i"', '"2.5" is not an integer'),
  );
});

const malformedSchema = { origin: CsvTypes.string(), dep_delay: CsvTypes.number().nullable(), flag: CsvTypes.boolean() };

void test('a malformed row fails the read with file, line, column, the value and what to do', async () => {
  const path = join(FIXTURES, 'malformed.csv');
  await assert.rejects(driveSource(FileSource.forCsv(path, malformedSchema)), (e: unknown) => {
    assert.ok(e instanceof RivuletError);
    assert.equal(e.code, 'MALFORMED_RECORD');
    assert.equal(e.context.file, path);
    assert.equal(e.context.line, 3);
    assert.equal(e.context.column, 'dep_delay');
    assert.equal(e.context.operatorUid, 'test-source');
    for (const part of [path, 'line 3', 'column "dep_delay"', '"abc" is not a number', "onMalformed: 'side-output'"]) {
      assert.ok(e.message.includes(part), `${JSON.stringify(part)} not in: ${e.message}`);
    }
    return true;
  });
  // A wrong field count is reported as such, naming the missing column.
  const dir = tempDir();
  writeFileSync(join(dir, 'short.csv'), 'origin,dep_delay,flag\nJFK,1,true\nEWR,7\n');
  await assert.rejects(
    driveSource(FileSource.forCsv(join(dir, 'short.csv'), malformedSchema)),
    rivuletError('MALFORMED_RECORD', 'line 3', 'column "flag"', '2 fields', 'header has 3'),
  );
});

void test("onMalformed: 'side-output' diverts bad rows with their reasons and loses none", async () => {
  const path = join(FIXTURES, 'malformed.csv');
  const result = await driveSource(FileSource.forCsv(path, malformedSchema, { onMalformed: 'side-output' }));
  const bad = (result.sideOutputs.get(FileSource.MALFORMED_ROWS.id) ?? []) as MalformedRow[];
  assert.equal(FileSource.MALFORMED_ROWS.id, 'malformed-rows');
  assert.deepEqual(result.records, [
    { origin: 'JFK', dep_delay: 5, flag: true },
    { origin: 'LGA', dep_delay: null, flag: true },
    { origin: 'JFK', dep_delay: 10, flag: false },
  ]);
  assert.deepEqual(
    bad.map((b) => [b.line, b.column, b.text]),
    [
      [3, 'dep_delay', 'LGA,abc,false'],
      [4, 'flag', 'EWR,7'],
      [5, 'flag', 'JFK,8,maybe'],
      [7, 'flag', 'EWR,9,true,extra'],
    ],
  );
  assert.ok(bad.every((b) => b.file === path && b.reason.length > 0));
  assert.ok(bad[2]!.reason.includes('"maybe" is not a boolean'));
  assert.equal(result.metrics[0]!.malformedRecords, 4);
  const dataLines = readFileSync(path, 'utf8').trim().split('\n').length - 1;
  assert.equal(result.records.length + bad.length, dataLines);
});

void test('a missing input fails at enumerator start with INPUT_NOT_FOUND naming the path', async () => {
  const missing = join(tempDir(), 'no-such-file.csv.gz');
  const source = FileSource.forCsv(missing, flightSchema); // building does no I/O
  await assert.rejects(driveSource(source), rivuletError('INPUT_NOT_FOUND', missing));
  await assert.rejects(FileSource.discoverSplits(missing), rivuletError('INPUT_NOT_FOUND', missing));
});

void test('a directory is read file by file, one split each, spread over the readers', async () => {
  const dir = tempDir();
  const expected: number[] = [];
  for (let file = 0; file < 5; file++) {
    let text = 'n\n';
    for (let i = 0; i < 1000; i++) {
      text += `${file * 1000 + i}\n`;
      expected.push(file * 1000 + i);
    }
    writeFileSync(join(dir, `part-${file}.csv${file % 2 === 0 ? '.gz' : ''}`), file % 2 === 0 ? gzipSync(text) : text);
  }
  writeFileSync(join(dir, '.hidden.csv'), 'n\n-1\n');
  writeFileSync(join(dir, '_SUCCESS'), '');
  const result = await driveSource(FileSource.forCsv(dir, { n: CsvTypes.integer() }), { parallelism: 2 });
  const splits = result.splitsBySubtask;
  assert.equal(splits.flat().length, 5);
  assert.deepEqual(new Set(splits.flat()).size, 5);
  assert.ok(splits[0]!.length > 0 && splits[1]!.length > 0, `splits: ${JSON.stringify(splits)}`);
  assert.deepEqual(
    result.records.map((r) => r.n).sort((a, b) => a - b),
    expected,
  );
  // Each reader reads its files in the order assigned, each file in order.
  for (const [subtask, ids] of splits.entries()) {
    const firstOfEachFile = result.recordsBySubtask[subtask]!.filter((r) => r.n % 1000 === 0).map((r) => r.n / 1000);
    assert.deepEqual(firstOfEachFile, ids.map((id) => Number(/part-(\d)/.exec(id)![1])));
  }
});

void test('an empty file, a header-only file and a file without final line break', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'a-empty.csv'), '');
  writeFileSync(join(dir, 'b-header.csv'), 'n\r\n');
  writeFileSync(join(dir, 'c-nofinal.csv'), 'n\r\n1\r\n2');
  const { records } = await driveSource(FileSource.forCsv(dir, { n: CsvTypes.integer() }));
  assert.deepEqual(records, [{ n: 1 }, { n: 2 }]);
});

void test('rows straddling chunk boundaries and multi-byte characters survive large files', async () => {
  const dir = tempDir();
  const lines: string[] = ['id,text'];
  for (let i = 0; i < 30_000; i++) lines.push(i % 7 === 0 ? `${i},"é, ""ü"" ${'x'.repeat(i % 50)}\n日本"` : `${i},é日本${'y'.repeat(i % 90)}`);
  const text = lines.join('\n') + '\n';
  writeFileSync(join(dir, 'big.csv.gz'), gzipSync(text));
  const { records } = await driveSource(FileSource.forCsv(join(dir, 'big.csv.gz'), { id: CsvTypes.integer(), text: CsvTypes.string() }));
  assert.equal(records.length, 30_000);
  for (let i = 0; i < records.length; i++) {
    const expected = i % 7 === 0 ? `é, "ü" ${'x'.repeat(i % 50)}\n日本` : `é日本${'y'.repeat(i % 90)}`;
    if (records[i]!.id !== i || records[i]!.text !== expected) assert.fail(`row ${i}: ${JSON.stringify(records[i])}`);
  }
});

void test('options are validated when the source is built', () => {
  assert.throws(() => FileSource.forCsv('x.csv', {}), rivuletError('INVALID_ARGUMENT', 'at least one column'));
  assert.throws(() => FileSource.forCsv('x.csv', { a: CsvTypes.string() }, { delimiter: '"' }), rivuletError('INVALID_ARGUMENT', 'delimiter'));
  assert.throws(
    () => FileSource.forCsv('x.csv', { a: CsvTypes.string() }, { header: false, columns: ['b'] }),
    rivuletError('INVALID_ARGUMENT', '"a"'),
  );
  assert.equal(String(FileSource.forCsv('flights.csv.gz', { a: CsvTypes.string() })), 'CSV file flights.csv.gz');
});

void test('reading is bounded: an unpolled reader stops reading ahead; bytesRead counts compressed bytes', async () => {
  const source = FileSource.forCsv(FLIGHTS, flightSchema);
  const metrics = { bytesRead: 0, bytesTotal: undefined as number | undefined, malformedRecords: 0 };
  const size = readFileSync(FLIGHTS).length;
  const reader = source.createReader({ subtaskIndex: 0, parallelism: 1, operatorUid: 'u', metrics, sendSplitRequest: () => {} });
  await reader.start();
  reader.addSplits([{ splitId: FLIGHTS, path: FLIGHTS, size }]);
  reader.notifyNoMoreSplits();
  const output: ReaderOutput<unknown> = {
    collect: () => {},
    collectSideOutput: () => {},
    emitWatermark: () => {},
    markIdle: () => {},
    markActive: () => {},
    createOutputForSplit: () => output,
    releaseOutputForSplit: () => {},
  };
  assert.equal(reader.pollNext(output), InputStatus.NOTHING_AVAILABLE); // the file is being opened
  assert.equal(metrics.bytesTotal, size);
  await reader.isAvailable();
  await new Promise((resolve) => setTimeout(resolve, 300)); // the file would be read many times over by now
  reader.pollNext(output);
  assert.ok(metrics.bytesRead > 0 && metrics.bytesRead < size / 3, `read ${metrics.bytesRead} of ${size} bytes while not polled`);
  await reader.close();
});
