/**
 * Measures CSV source throughput (gunzip + parse + row objects, one reader) on the flights
 * benchmark input:
 *   node_modules/.bin/node test/connectors/csv-throughput.bench.ts [file] [parallelism]
 * Not a test (no `.test.ts`): run by hand. Records are summed, not kept, as a job would.
 */
import { existsSync } from 'node:fs';
import { CsvTypes, FileSource } from '../../src/connectors/index.ts';
import { driveSource } from './drive-source.ts';

const file =
  process.argv[2] ??
  (existsSync('data/nycflights13/flights_2013.csv.gz')
    ? 'data/nycflights13/flights_2013.csv.gz'
    : '/work/shared/data/nycflights13/flights_2013.csv.gz');
const parallelism = Number(process.argv[3] ?? 1);
const schema = {
  dep_epoch: CsvTypes.number().nullable(),
  dep_delay: CsvTypes.number().nullable(),
  carrier: CsvTypes.string(),
  origin: CsvTypes.string(),
  dest: CsvTypes.string(),
  distance: CsvTypes.integer(),
};
type Flight = { dep_delay: number | null };

for (let run = 1; run <= 7; run++) {
  let rows = 0;
  let delaySum = 0;
  const started = performance.now();
  await driveSource(FileSource.forCsv(file, schema), {
    parallelism,
    onRecord: (row) => {
      rows++;
      delaySum += (row as Flight).dep_delay ?? 0;
    },
  });
  const ms = performance.now() - started;
  const rate = Math.round(rows / (ms / 1000)).toLocaleString('en-US');
  console.log(`run ${run}: ${rows} rows in ${ms.toFixed(0)} ms = ${rate} rows/s (sum dep_delay ${delaySum})`);
}
