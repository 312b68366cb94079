/**
 * Nexmark q8, monitor new users: the people who registered and opened an auction within
 * the same 10-second tumbling window.
 *
 *   SELECT P.id, P.name, P.starttime
 *   FROM (SELECT id, name, window_start AS starttime, window_end AS endtime
 *         FROM TUMBLE(person, dateTime, 10 s) GROUP BY id, name, window_start, window_end) P
 *   JOIN (SELECT seller, window_start AS starttime, window_end AS endtime
 *         FROM TUMBLE(auction, dateTime, 10 s) GROUP BY seller, window_start, window_end) A
 *   ON P.id = A.seller AND P.starttime = A.starttime AND P.endtime = A.endtime;
 *
 * A window coGroup of persons and auctions on person id = seller: one row per person and
 * window in which they also sold (the GROUP BYs make both sides distinct, so several
 * auctions of one seller still give one row, which a window join would repeat). Only the
 * fields the query reads go into the window state.
 */
import { Duration, TumblingEventTimeWindows } from 'rivulet';
import type { Collector, DataStream, NexmarkEvent } from 'rivulet';
import { auctions, persons, windowStart } from './common.ts';

export interface Q8Row {
  id: number;
  name: string;
  starttime: number;
}

export const Q8_COLUMNS = ['id', 'name', 'starttime'] as const;

export const Q8_WINDOW = Duration.ofSeconds(10);

interface NewPerson {
  id: number;
  name: string;
  dateTime: number;
}

export function q8(events: DataStream<NexmarkEvent>): DataStream<Q8Row> {
  const size = Q8_WINDOW.toMillis();
  const newPersons = persons(events)
    .map((p): NewPerson => ({ id: p.id, name: p.name, dateTime: p.dateTime }))
    .name('q8: person id and name')
    .uid('q8-persons');
  const sellers = auctions(events)
    .map((a) => a.seller)
    .name('q8: seller')
    .uid('q8-sellers');
  return newPersons
    .coGroup(sellers)
    .where((p) => p.id)
    .equalTo((seller) => seller)
    .window(TumblingEventTimeWindows.of(Q8_WINDOW))
    .apply((people: Iterable<NewPerson>, sold: Iterable<number>, out: Collector<Q8Row>) => {
      if (sold[Symbol.iterator]().next().done === true) return;
      for (const p of people) out.collect({ id: p.id, name: p.name, starttime: windowStart(p.dateTime, size) });
    })
    .name('q8: persons who sold in the window')
    .uid('q8-cogroup');
}
