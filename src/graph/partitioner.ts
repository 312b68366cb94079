/**
 * How records of an edge are distributed over the downstream subtasks; as Flink's
 * StreamPartitioner family. Only `forward` edges can be chained.
 */
import type { KeySelector } from '../core/functions.ts';
import type { Key } from '../core/keys.ts';

export type PartitionerSpec =
  | { readonly kind: 'forward' }
  | { readonly kind: 'rebalance' }
  | { readonly kind: 'rescale' }
  | { readonly kind: 'broadcast' }
  | { readonly kind: 'global' }
  | { readonly kind: 'hash'; readonly keySelector: KeySelector<any, Key> };

export type PartitionerKind = PartitionerSpec['kind'];

/** Flink's names in execution plans. */
export function partitionerName(p: PartitionerSpec): string {
  switch (p.kind) {
    case 'forward':
      return 'FORWARD';
    case 'rebalance':
      return 'REBALANCE';
    case 'rescale':
      return 'RESCALE';
    case 'broadcast':
      return 'BROADCAST';
    case 'global':
      return 'GLOBAL';
    case 'hash':
      return 'HASH';
  }
}
