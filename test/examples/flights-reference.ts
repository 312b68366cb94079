/**
 * The flights job's result computed without the engine: a plain loop over the file. Kept
 * deliberately naive (gunzip everything, split, index columns by header) so it shares no
 * code or cleverness with the engine or its CSV reader.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export interface OriginHourRow {
  window_start: string;
  window_end: string;
  origin: string;
  departures: number;
  total_dep_delay_min: number;
  max_dep_delay_min: number;
}

export function referenceDeparturesPerOriginHour(file: string): { rows: OriginHourRow[]; cancelled: number } {
  const raw = readFileSync(file);
  const text = (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw).toString('utf8');
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines[0]!.split(',');
  const iEpoch = header.indexOf('dep_epoch');
  const iDelay = header.indexOf('dep_delay');
  const iOrigin = header.indexOf('origin');
  const groups = new Map<string, { start: number; origin: string; n: number; sum: number; max: number }>();
  let cancelled = 0;
  for (const line of lines.slice(1)) {
    const f = line.split(',');
    if (f[iEpoch] === '') {
      cancelled++;
      continue;
    }
    const ts = Number(f[iEpoch]) * 1000;
    const delay = f[iDelay] === '' ? 0 : Number(f[iDelay]);
    const start = ts - (ts % 3_600_000);
    const k = `${start}|${f[iOrigin]}`;
    const g = groups.get(k) ?? { start, origin: f[iOrigin]!, n: 0, sum: 0, max: -Infinity };
    g.n++;
    g.sum += delay;
    g.max = Math.max(g.max, delay);
    groups.set(k, g);
  }
  const rows = [...groups.values()].map((g) => ({
    window_start: new Date(g.start).toISOString(),
    window_end: new Date(g.start + 3_600_000).toISOString(),
    origin: g.origin,
    departures: g.n,
    total_dep_delay_min: g.sum,
    max_dep_delay_min: g.max,
  }));
  return { rows, cancelled };
}

/** Reads the CSV part files of an output directory (header line of each checked). */
export function readPartFiles(dir: string, files: string[]): string[] {
  const out: string[] = [];
  for (const f of files) {
    const lines = readFileSync(`${dir}/${f}`, 'utf8').split('\n').filter((l) => l !== '');
    if (lines[0] !== 'window_start,window_end,origin,departures,total_dep_delay_min,max_dep_delay_min') {
      throw new Error(`part file ${f} lacks the header line: ${lines[0]}`);
    }
    out.push(...lines.slice(1));
  }
  return out;
}

export function rowToCsv(r: OriginHourRow): string {
  return [r.window_start, r.window_end, r.origin, r.departures, r.total_dep_delay_min, r.max_dep_delay_min].join(',');
}
