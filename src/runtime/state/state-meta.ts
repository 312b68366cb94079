/**
 * The bookkeeping both keyed backends share: what each state stores (its kind and serde
 * ids), and the checks that a state is used as it was registered and as it was snapshotted
 * — Flink's state schema compatibility check, by serde id.
 */
import { RivuletError } from '../../core/errors.ts';
import type { Serde } from '../../core/serde.ts';
import type { KeyGroupRange } from './key-groups.ts';
import type { KeyedStateSnapshot, SnapshotStateMeta } from './keyed-state-backend.ts';

export function valueStateMeta(name: string, serde: Serde<unknown>): SnapshotStateMeta {
  return { name, kind: 'value', serdeId: serde.id };
}

export function mapStateMeta(name: string, userKeySerde: Serde<unknown>, serde: Serde<unknown>): SnapshotStateMeta {
  return { name, kind: 'map', userKeySerdeId: userKeySerde.id, serdeId: serde.id };
}

function sameMeta(a: SnapshotStateMeta, b: SnapshotStateMeta): boolean {
  if (a.kind !== b.kind || a.serdeId !== b.serdeId) return false;
  return a.kind !== 'map' || b.kind !== 'map' || a.userKeySerdeId === b.userKeySerdeId;
}

/** The state's name as the user wrote it (user states are stored as `user:<name>`). */
export function displayStateName(name: string): string {
  return name.startsWith('user:') ? `"${name.slice(5)}"` : `"${name}" (internal)`;
}

function serdeIds(m: SnapshotStateMeta): string {
  return m.kind === 'map' ? `key serde "${m.userKeySerdeId}", value serde "${m.serdeId}"` : `serde "${m.serdeId}"`;
}

function describe(m: SnapshotStateMeta): string {
  return `a ${m.kind} state with ${serdeIds(m)}`;
}

/** Why two serde ids may differ, when it is not a plain change of serde. */
function hint(a: SnapshotStateMeta, b: SnapshotStateMeta): string {
  const ttlA = a.serdeId.startsWith('ttl<');
  const ttlB = b.serdeId.startsWith('ttl<');
  if (ttlA !== ttlB) return ' (state TTL was enabled or disabled: TTL changes how values are stored)';
  if (a.kind !== b.kind) return ' (the kind of state changed)';
  return '';
}

/** @throws RivuletError(STATE_INCOMPATIBLE) when `requested` differs from how the state is registered. */
export function checkSameRegistration(operatorUid: string, registered: SnapshotStateMeta, requested: SnapshotStateMeta): void {
  if (sameMeta(registered, requested)) return;
  throw new RivuletError(
    'STATE_INCOMPATIBLE',
    `State ${displayStateName(registered.name)} of operator uid "${operatorUid}" is registered as ${describe(registered)} and cannot also be used as ${describe(requested)}${hint(registered, requested)}; give each state its own name.`,
    { operatorUid },
  );
}

/** @throws RivuletError(STATE_INCOMPATIBLE) when restored state was written with other serdes than `requested` has. */
export function checkRestoredCompatible(operatorUid: string, restored: SnapshotStateMeta | undefined, requested: SnapshotStateMeta): void {
  if (restored === undefined || sameMeta(restored, requested)) return;
  throw new RivuletError(
    'STATE_INCOMPATIBLE',
    `Cannot restore state ${displayStateName(requested.name)} of operator uid "${operatorUid}": the snapshot holds ${describe(restored)}, but the state is now declared as ${describe(requested)}${hint(restored, requested)}. Declare it with the serde it was written with (${serdeIds(restored)}), or give the changed state a new name.`,
    { operatorUid },
  );
}

/**
 * Checks that `snapshots` can be restored by a backend of this operator and max
 * parallelism, and returns the metas of their states by name.
 * @throws RivuletError(STATE_INCOMPATIBLE) on another max parallelism, an unknown format
 *   or two snapshots that disagree on a state's serdes.
 */
export function restoredStateMetas(operatorUid: string, maxParallelism: number, snapshots: readonly KeyedStateSnapshot[]): Map<string, SnapshotStateMeta> {
  const metas = new Map<string, SnapshotStateMeta>();
  for (const s of snapshots) {
    if (s.formatVersion !== 1) {
      throw new RivuletError('STATE_INCOMPATIBLE', `Keyed state snapshot of operator uid "${s.operatorUid}" has format version ${String(s.formatVersion)}; this Rivulet reads version 1.`, { operatorUid });
    }
    if (s.maxParallelism !== maxParallelism) {
      throw new RivuletError(
        'STATE_INCOMPATIBLE',
        `Cannot restore keyed state of operator uid "${operatorUid}": it was written with max parallelism ${s.maxParallelism}, the operator now has ${maxParallelism}. The max parallelism fixes the key groups and cannot change; set it back with setMaxParallelism(${s.maxParallelism}).`,
        { operatorUid },
      );
    }
    for (const m of s.states) {
      const seen = metas.get(m.name);
      if (seen === undefined) metas.set(m.name, m);
      else if (!sameMeta(seen, m)) {
        throw new RivuletError('STATE_INCOMPATIBLE', `Snapshots of operator uid "${operatorUid}" disagree on state ${displayStateName(m.name)}: ${describe(seen)} vs ${describe(m)}.`, { operatorUid });
      }
    }
  }
  return metas;
}

export function inRange(range: KeyGroupRange, keyGroup: number): boolean {
  return keyGroup >= range.startKeyGroup && keyGroup <= range.endKeyGroup;
}
