import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CsvTypes } from '../../src/connectors/index.ts';
import type { CsvRow } from '../../src/connectors/index.ts';

void test('CsvRow infers the row type from the schema (checked by tsc)', () => {
  const _schema = {
    dep_epoch: CsvTypes.number().nullable(),
    origin: CsvTypes.string(),
    flight: CsvTypes.integer(),
    cancelled: CsvTypes.boolean(),
  };
  type Row = CsvRow<typeof _schema>;
  const row: Row = { dep_epoch: null, origin: 'JFK', flight: 1545, cancelled: false };
  const exact: { dep_epoch: number | null; origin: string; flight: number; cancelled: boolean } = row;
  // @ts-expect-error origin is not nullable
  const nullOrigin: Row = { dep_epoch: 1, origin: null, flight: 1, cancelled: false };
  // @ts-expect-error every schema column is required
  const missing: Row = { dep_epoch: 1, origin: 'JFK', flight: 1 };
  assert.ok(exact && nullOrigin && missing);
});

void test('column types describe themselves', () => {
  assert.equal(String(CsvTypes.number()), 'number');
  assert.equal(String(CsvTypes.boolean().nullable()), 'boolean?');
  assert.equal(CsvTypes.string().nullable().isNullable, true);
  assert.equal(CsvTypes.integer().kind, 'integer');
});
