/**
 * Serdes of the WindowOperator's own keyed state whose values are class instances (which
 * the default MessagePack serde would turn into plain objects): the in-flight windows of
 * merging window sets, and the records of evicting panes. Needed by the LMDB backend on
 * every access and by both backends for snapshots.
 */
import type { Serde } from '../../core/serde.ts';
import { Serdes } from '../../core/serde.ts';
import { TimestampedValue } from '../../core/windowing.ts';
import type { Window } from '../../core/windowing.ts';
import type { WindowMapping } from './merging-window-set.ts';
import { windowOfNamespaceKey } from './window-namespace.ts';

const msgpack = Serdes.msgpack<unknown>();

/** Windows as their namespace keys (TimeWindow and GlobalWindow rebuild from it). */
export const windowMappingsSerde: Serde<WindowMapping<Window>[]> = {
  id: 'window-mappings',
  encode: (mappings) => msgpack.encode(mappings.map(([w, stateWindow]) => [w.namespaceKey, stateWindow.namespaceKey])),
  decode: (bytes) => (msgpack.decode(bytes) as [string, string][]).map(([w, stateWindow]) => [windowOfNamespaceKey(w), windowOfNamespaceKey(stateWindow)]),
};

/** TimestampedValue lists as [value, timestamp] pairs (timestamps may be -Infinity). */
export const timestampedValuesSerde: Serde<TimestampedValue<unknown>[]> = {
  id: 'timestamped-values<msgpack>',
  encode: (values) => msgpack.encode(values.map((v) => [v.value, v.timestamp])),
  decode: (bytes) => (msgpack.decode(bytes) as [unknown, number][]).map(([value, timestamp]) => new TimestampedValue(value, timestamp)),
};
