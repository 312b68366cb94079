/** The Nexmark queries of this directory by name, with the columns of their CSV output. */
import type { DataStream, NexmarkEvent } from 'rivulet';
import { q0, Q0_COLUMNS } from './q0.ts';
import { q1, Q1_COLUMNS } from './q1.ts';
import { q2, Q2_COLUMNS } from './q2.ts';
import { q3, Q3_COLUMNS } from './q3.ts';
import { q4, Q4_COLUMNS } from './q4.ts';
import { q5, Q5_COLUMNS } from './q5.ts';
import { q6, Q6_COLUMNS } from './q6.ts';
import { q7, Q7_COLUMNS } from './q7.ts';
import { q8, Q8_COLUMNS } from './q8.ts';
import { q11, Q11_COLUMNS } from './q11.ts';
import { q12, Q12_COLUMNS } from './q12.ts';

export interface NexmarkQuery {
  /** Adds the query to the event stream; returns its result stream. */
  // DataStream<T> is invariant in T: the registry holds streams of different row types.
  readonly build: (events: DataStream<NexmarkEvent>) => DataStream<any>;
  /** The result's fields, in CSV column order. */
  readonly columns: readonly string[];
}

export const NEXMARK_QUERIES = {
  q0: { build: q0, columns: Q0_COLUMNS },
  q1: { build: q1, columns: Q1_COLUMNS },
  q2: { build: q2, columns: Q2_COLUMNS },
  q3: { build: q3, columns: Q3_COLUMNS },
  q4: { build: q4, columns: Q4_COLUMNS },
  q5: { build: q5, columns: Q5_COLUMNS },
  q6: { build: q6, columns: Q6_COLUMNS },
  q7: { build: q7, columns: Q7_COLUMNS },
  q8: { build: q8, columns: Q8_COLUMNS },
  q11: { build: q11, columns: Q11_COLUMNS },
  q12: { build: q12, columns: Q12_COLUMNS },
} as const satisfies Record<string, NexmarkQuery>;

export type NexmarkQueryName = keyof typeof NEXMARK_QUERIES;

export function isNexmarkQueryName(name: string): name is NexmarkQueryName {
  return Object.hasOwn(NEXMARK_QUERIES, name);
}
