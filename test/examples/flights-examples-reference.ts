/**
 * The sliding-window and turnaround examples' results computed without the engine: plain
 * loops over the flights file, parsed naively (gunzip everything, split, index columns by
 * header), sharing no code with the engine or its CSV reader.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

interface Departed {
  readonly epoch: number;
  readonly delay: number;
  readonly carrier: string;
  readonly tailnum: string;
  readonly flight: string;
  readonly origin: string;
  readonly dest: string;
}

/** The departed flights (those with a departure time), and how many were cancelled. */
export function readDepartures(file: string): { departed: Departed[]; cancelled: number } {
  const raw = readFileSync(file);
  const text = (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw).toString('utf8');
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines[0]!.split(',');
  const col = (name: string): number => header.indexOf(name);
  const [iEpoch, iDelay, iCarrier, iTail, iFlight, iOrigin, iDest] = ['dep_epoch', 'dep_delay', 'carrier', 'tailnum', 'flight', 'origin', 'dest'].map(col);
  const departed: Departed[] = [];
  let cancelled = 0;
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i]!.split(',');
    if (f[iEpoch!] === '') {
      cancelled++;
      continue;
    }
    departed.push({
      epoch: Number(f[iEpoch!]),
      delay: f[iDelay!] === '' ? 0 : Number(f[iDelay!]),
      carrier: f[iCarrier!]!,
      tailnum: f[iTail!]!,
      flight: `${f[iCarrier!]}${f[iFlight!]}`,
      origin: f[iOrigin!]!,
      dest: f[iDest!]!,
    });
  }
  return { departed, cancelled };
}

const HOUR = 3_600_000;

/** Rows of delay-per-carrier-sliding.ts: per carrier and 3-hour window starting on every hour. */
export function referenceDelayPerCarrierSliding(departed: readonly Departed[]): string[] {
  const groups = new Map<string, { start: number; carrier: string; n: number; sum: number }>();
  for (const d of departed) {
    const ts = d.epoch * 1000;
    const lastStart = ts - (ts % HOUR);
    for (let start = lastStart; start > ts - 3 * HOUR; start -= HOUR) {
      const k = `${start}|${d.carrier}`;
      const g = groups.get(k) ?? { start, carrier: d.carrier, n: 0, sum: 0 };
      g.n++;
      g.sum += d.delay;
      groups.set(k, g);
    }
  }
  return [...groups.values()].map((g) =>
    [new Date(g.start).toISOString(), new Date(g.start + 3 * HOUR).toISOString(), g.carrier, g.n, g.sum, Math.round((g.sum / g.n) * 100) / 100].join(','),
  );
}

/** Rows of tailnum-turnaround.ts: per departure, the next strictly later one of its aircraft within 24 hours. */
export function referenceTurnaround(departed: readonly Departed[]): string[] {
  const byTail = new Map<string, Departed[]>();
  for (const d of departed) {
    if (d.tailnum === '') continue;
    let list = byTail.get(d.tailnum);
    if (list === undefined) byTail.set(d.tailnum, (list = []));
    list.push(d);
  }
  const rows: string[] = [];
  for (const list of byTail.values()) {
    list.sort((a, b) => a.epoch - b.epoch);
    for (let i = 0; i < list.length; i++) {
      const a = list[i]!;
      let j = i + 1;
      while (j < list.length && list[j]!.epoch === a.epoch) j++;
      const b = list[j];
      if (b === undefined || b.epoch - a.epoch > 24 * 3600) continue;
      const iso = (s: number): string => new Date(s * 1000).toISOString();
      rows.push([a.tailnum, iso(a.epoch), a.flight, `${a.origin}-${a.dest}`, iso(b.epoch), b.flight, `${b.origin}-${b.dest}`, (b.epoch - a.epoch) / 60].join(','));
    }
  }
  return rows;
}
