import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CsvFormat } from '../../src/connectors/file/csv-format.ts';
import { CsvSplitParser } from '../../src/connectors/file/csv-parser.ts';
import { CsvTypes } from '../../src/connectors/file/csv-schema.ts';
import type { RowOutput } from '../../src/connectors/file/csv-parser.ts';

/** An RFC-4180 writer written independently of the sink's, for the property below. */
function encodeField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function parseInPieces(text: string, cuts: number[], schema: Record<string, ReturnType<typeof CsvTypes.string>>): unknown[] {
  const rows: unknown[] = [];
  const output: RowOutput<unknown> = {
    collect: (row) => rows.push(row),
    collectSideOutput: () => assert.fail('no row is malformed'),
  };
  const parser = new CsvSplitParser<unknown>(new CsvFormat(schema, {}), { file: 'mem.csv', operatorUid: 'u', subtask: 0 }, {
    bytesRead: 0,
    bytesTotal: 0,
    malformedRecords: 0,
  });
  let from = 0;
  for (const cut of [...cuts.filter((c) => c < text.length).sort((a, b) => a - b), text.length]) {
    parser.append(text.slice(from, cut));
    from = cut;
    while (parser.parse(output, 3) === 3); // a small budget exercises resumption mid-text
  }
  parser.endOfText();
  while (!parser.done) parser.parse(output, 3);
  return rows;
}

void test('any table survives RFC-4180 encoding and parsing, however the text is cut into pieces', () => {
  const cell = fc.string({ unit: fc.constantFrom('a', 'b', ' ', ',', '"', '\n', '\r', 'é', '日'), maxLength: 8 });
  fc.assert(
    fc.property(
      fc.array(fc.tuple(cell, cell, cell), { maxLength: 20 }),
      fc.array(fc.nat({ max: 400 }), { maxLength: 12 }),
      fc.constantFrom('\n', '\r\n'),
      fc.boolean(),
      (rows, cuts, eol, finalEol) => {
        const lines = ['a,b,c', ...rows.map((r) => r.map(encodeField).join(','))];
        const text = lines.join(eol) + (finalEol ? eol : '');
        const schema = { c: CsvTypes.string(), a: CsvTypes.string() };
        const parsed = parseInPieces(text, cuts, schema);
        assert.deepEqual(
          parsed,
          rows.map(([a, , c]) => ({ c, a })),
        );
      },
    ),
    { numRuns: 500 },
  );
});
