/**
 * Keys as JS Map keys. Primitives are used as they are (Map keeps 1 and "1" apart); a tuple
 * becomes one string in which every element carries its type, so equal tuples meet in a
 * map and ["1"], [1] and [1n] stay three keys.
 */
import type { Key } from '../../core/keys.ts';

export type MapKey = string | number | boolean | bigint;

export function toMapKey(key: Key): MapKey {
  if (typeof key !== 'object') return key;
  let s = '';
  for (let i = 0; i < key.length; i++) {
    const e = key[i]!;
    // Type tag + value; strings are JSON-quoted so a separator inside them cannot collide.
    s += typeof e === 'string' ? `s${JSON.stringify(e)}\u0000` : `${typeof e === 'number' ? 'n' : typeof e === 'bigint' ? 'b' : 'z'}${String(e)}\u0000`;
  }
  return s;
}
