/**
 * The flights aggregation as a competent engineer would hand-write it without a stream
 * processor: one streaming pass (read -> gunzip -> split lines -> parse the three needed
 * columns -> aggregate in a Map), then one CSV file. The baseline `npm run bench` compares
 * the engine with. Same input, same output as examples/flights/departures-per-origin-hour.ts.
 */
import { createReadStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';

export async function handwrittenDeparturesPerOriginHour(input: string, outputDir: string): Promise<{ rows: number; cancelled: number }> {
  const groups = new Map<string, { start: number; origin: string; n: number; sum: number; max: number }>();
  let cancelled = 0;
  let iEpoch = -1;
  let iDelay = -1;
  let iOrigin = -1;
  let rest = '';
  const handleLine = (line: string): void => {
    if (line.length === 0) return;
    if (iEpoch < 0) {
      const h = line.split(',');
      iEpoch = h.indexOf('dep_epoch');
      iDelay = h.indexOf('dep_delay');
      iOrigin = h.indexOf('origin');
      return;
    }
    const f = line.split(',');
    const epoch = f[iEpoch]!;
    if (epoch === '') {
      cancelled++;
      return;
    }
    const ts = Number(epoch) * 1000;
    const d = f[iDelay]!;
    const delay = d === '' ? 0 : Number(d);
    const origin = f[iOrigin]!;
    const start = ts - (ts % 3_600_000);
    const k = origin + start;
    let g = groups.get(k);
    if (g === undefined) {
      g = { start, origin, n: 0, sum: 0, max: -Infinity };
      groups.set(k, g);
    }
    g.n++;
    g.sum += delay;
    if (delay > g.max) g.max = delay;
  };
  const stream = createReadStream(input).pipe(createGunzip());
  stream.setEncoding('utf8');
  for await (const chunk of stream as AsyncIterable<string>) {
    const text = rest + chunk;
    let from = 0;
    for (;;) {
      const nl = text.indexOf('\n', from);
      if (nl < 0) break;
      handleLine(text.slice(from, nl));
      from = nl + 1;
    }
    rest = text.slice(from);
  }
  handleLine(rest);
  const out: string[] = ['window_start,window_end,origin,departures,total_dep_delay_min,max_dep_delay_min'];
  for (const g of groups.values()) {
    out.push(`${new Date(g.start).toISOString()},${new Date(g.start + 3_600_000).toISOString()},${g.origin},${g.n},${g.sum},${g.max}`);
  }
  mkdirSync(outputDir, { recursive: true });
  writeFileSync(join(outputDir, 'part-0-0.csv'), `${out.join('\n')}\n`);
  return { rows: groups.size, cancelled };
}
