/**
 * Nexmark q3, local item suggestion: who sells in category 10 in Oregon, Idaho or
 * California — each such auction with its seller's name, city and state.
 *
 *   SELECT P.name, P.city, P.state, A.id
 *   FROM auction AS A INNER JOIN person AS P ON A.seller = P.id
 *   WHERE A.category = 10 AND (P.state = 'OR' OR P.state = 'ID' OR P.state = 'CA');
 *
 * A regular (unwindowed) join, as a keyed co-process over seller = person id: a person is
 * kept once seen, an auction waits only for its seller to appear. Person ids are unique in
 * Nexmark, so each auction joins at most one person and is not kept once joined. Persons
 * from other states are remembered as "not a match" (not dropped before the join) so that
 * their auctions are dropped instead of waiting forever; the output is the SQL join's.
 * Only the fields the query reads cross the keyBy, as after Flink's projection push-down.
 */
import { KeyedCoProcessFunction, ValueStateDescriptor } from 'rivulet';
import type { Collector, DataStream, NexmarkEvent, OpenContext, ValueState } from 'rivulet';
import { auctions, persons } from './common.ts';

export interface Q3Row {
  name: string;
  city: string;
  state: string;
  id: number;
}

export const Q3_COLUMNS = ['name', 'city', 'state', 'id'] as const;

export const Q3_STATES: ReadonlySet<string> = new Set(['OR', 'ID', 'CA']);
export const Q3_CATEGORY = 10;

interface Seller {
  readonly name: string;
  readonly city: string;
  readonly state: string;
}

interface SellerAuction {
  readonly id: number;
  readonly seller: number;
}

interface SellerPerson extends Seller {
  readonly id: number;
}

/** Joins category-10 auctions (input 1) to their sellers (input 2), keyed by person id. */
class LocalItemSuggestion extends KeyedCoProcessFunction<number, SellerAuction, SellerPerson, Q3Row> {
  /** The seller once seen: its fields when in one of the states, null when not. */
  private seller!: ValueState<Seller | null>;
  /** Ids of auctions that arrived before their seller. */
  private waiting!: ValueState<number[]>;

  override open(_ctx: OpenContext): void {
    this.seller = this.getRuntimeContext().getState(new ValueStateDescriptor<Seller | null>('seller'));
    this.waiting = this.getRuntimeContext().getState(new ValueStateDescriptor<number[]>('auctions-waiting-for-seller'));
  }

  processElement1(auction: SellerAuction, _ctx: KeyedCoProcessFunction.Context<number>, out: Collector<Q3Row>): void {
    const seller = this.seller.value();
    if (seller === undefined) {
      const waiting = this.waiting.value() ?? [];
      waiting.push(auction.id);
      this.waiting.update(waiting);
    } else if (seller !== null) {
      out.collect({ name: seller.name, city: seller.city, state: seller.state, id: auction.id });
    }
  }

  processElement2(person: SellerPerson, _ctx: KeyedCoProcessFunction.Context<number>, out: Collector<Q3Row>): void {
    const matches = Q3_STATES.has(person.state);
    this.seller.update(matches ? { name: person.name, city: person.city, state: person.state } : null);
    const waiting = this.waiting.value();
    if (waiting === undefined) return;
    this.waiting.clear();
    if (matches) for (const id of waiting) out.collect({ name: person.name, city: person.city, state: person.state, id });
  }
}

export function q3(events: DataStream<NexmarkEvent>): DataStream<Q3Row> {
  const category10 = auctions(events)
    .filter((a) => a.category === Q3_CATEGORY)
    .name('q3: category 10')
    .uid('q3-category')
    .map((a): SellerAuction => ({ id: a.id, seller: a.seller }))
    .name('q3: auction id and seller')
    .uid('q3-auctions');
  const sellers = persons(events)
    .map((p): SellerPerson => ({ id: p.id, name: p.name, city: p.city, state: p.state }))
    .name('q3: person id, name and place')
    .uid('q3-persons');
  return category10
    .keyBy((a) => a.seller)
    .connect(sellers.keyBy((p) => p.id))
    .process(new LocalItemSuggestion())
    .name('q3: join sellers')
    .uid('q3-join');
}
