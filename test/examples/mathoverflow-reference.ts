/**
 * The user-sessions job's result computed without the engine: a plain loop over the file,
 * replaying it in file order with the job's watermark rule. Shares no code with the engine
 * or its CSV reader.
 *
 * Which events are late, precisely (Flink's WindowOperator with merging windows and
 * allowedLateness 0, fed by a source of parallelism 1): event e with timestamp t of user u
 * arrives while the watermark is W (the watermark after the event before it). Its window is
 * [t, t + gap). If it intersects (overlaps or touches) a session of u that is still open —
 * one whose end - 1 > W — they merge and e counts in the merged session. Otherwise, if
 * t + gap - 1 <= W, its session ended before it arrived: e is late (side output). After e,
 * the watermark is max(W, largest t so far - bound - 1) — with `--punctuated` exactly that,
 * emitted after every event; with periodic emission at most that (it lags). A session is
 * emitted once the watermark reaches its end - 1; the final watermark emits the rest.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export interface Interaction {
  /** The CSV line as in the file (the late file holds the same fields). */
  readonly line: string;
  readonly t: number;
  readonly user: string;
  readonly dst: string;
  readonly type: string;
}

export function readInteractions(file: string): Interaction[] {
  const raw = readFileSync(file);
  const text = (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw).toString('utf8');
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== ''); // the file has CRLF line ends
  const header = lines[0]!.split(',');
  const [iTs, iUser, iDst, iType] = ['ts_epoch', 'src_user', 'dst_user', 'type'].map((c) => header.indexOf(c));
  return lines.slice(1).map((line) => {
    const f = line.split(',');
    return { line, t: Number(f[iTs!]) * 1000, user: f[iUser!]!, dst: f[iDst!]!, type: f[iType!]! };
  });
}

interface Session {
  start: number;
  end: number;
  events: Interaction[];
}

export interface SessionsResult {
  /** Session rows as the job writes them (CSV, no header), in no particular order. */
  readonly sessions: string[];
  /** The late events' lines. */
  readonly late: string[];
  /** Users none of whose events arrived at or behind the watermark + 1 ms (see {@link referenceUserSessions}). */
  readonly cleanUsers: ReadonlySet<string>;
}

function sessionRow(user: string, s: Session): string {
  const count = (type: string): number => s.events.filter((e) => e.type === type).length;
  const dst = new Set(s.events.map((e) => e.dst)).size;
  return [user, new Date(s.start).toISOString(), new Date(s.end).toISOString(), s.events.length, dst, count('a2q'), count('c2q'), count('c2a')].join(',');
}

/**
 * Replays `events` in file order with a watermark of (largest timestamp so far - bound - 1)
 * after every event. `cleanUsers`: users whose every event had t > W + 1 on arrival — for
 * them no watermark that lags behind this one can make any difference (no event late, no
 * event arriving after a session it touches was emitted), so their sessions are the same
 * with periodic watermarks too.
 */
export function referenceUserSessions(events: readonly Interaction[], gapMs: number, boundMs: number): SessionsResult {
  const open = new Map<string, Session[]>();
  const sessions: string[] = [];
  const late: string[] = [];
  const touched = new Set<string>();
  let watermark = Number.NEGATIVE_INFINITY;
  let maxTs = Number.NEGATIVE_INFINITY;
  for (const e of events) {
    if (e.t <= watermark + 1) touched.add(e.user);
    // Sessions of this user the watermark has closed were emitted by now.
    const live: Session[] = [];
    for (const s of open.get(e.user) ?? []) {
      if (s.end - 1 <= watermark) sessions.push(sessionRow(e.user, s));
      else live.push(s);
    }
    let start = e.t;
    let end = e.t + gapMs;
    const merged: Session[] = [];
    const rest: Session[] = [];
    for (const s of live) {
      if (s.start <= end && s.end >= start) merged.push(s);
      else rest.push(s);
    }
    if (merged.length === 0 && end - 1 <= watermark) {
      late.push(e.line);
      open.set(e.user, live);
    } else {
      const all: Interaction[] = [e];
      for (const s of merged) {
        start = Math.min(start, s.start);
        end = Math.max(end, s.end);
        all.push(...s.events);
      }
      rest.push({ start, end, events: all });
      open.set(e.user, rest);
    }
    if (e.t > maxTs) maxTs = e.t;
    watermark = Math.max(watermark, maxTs - boundMs - 1);
  }
  for (const [user, list] of open) for (const s of list) sessions.push(sessionRow(user, s));
  const cleanUsers = new Set<string>();
  for (const e of events) if (!touched.has(e.user)) cleanUsers.add(e.user);
  return { sessions, late, cleanUsers };
}
