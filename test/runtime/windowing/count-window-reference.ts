/**
 * A brute-force model of `countWindow(size)` and `countWindow(size, slide)` per key, from
 * their definition: tumbling, every `size`-th record of a key fires the `size` records since
 * the previous firing; sliding, every `slide`-th record of a key fires its last
 * min(size, seen) records. Event time and watermarks play no part (GlobalWindows).
 */
import type { Step } from './tumbling-reference.ts';

export interface CountFiring {
  readonly key: string;
  /** The values of the fired records, in arrival order. */
  readonly values: number[];
}

/** The firings in the order they happen (each on the record that completes it). */
export function referenceCountWindows(steps: readonly Step[], size: number, slide?: number): CountFiring[] {
  const buffers = new Map<string, number[]>();
  const sinceFiring = new Map<string, number>();
  const out: CountFiring[] = [];
  for (const step of steps) {
    if (!('event' in step)) continue;
    const { key, v } = step.event;
    const buffer = buffers.get(key) ?? [];
    buffers.set(key, buffer);
    buffer.push(v);
    if (slide === undefined) {
      if (buffer.length === size) {
        out.push({ key, values: buffer.slice() });
        buffer.length = 0;
      }
      continue;
    }
    const n = (sinceFiring.get(key) ?? 0) + 1;
    sinceFiring.set(key, n === slide ? 0 : n);
    if (n === slide) {
      const last = buffer.slice(-size);
      out.push({ key, values: last });
      buffers.set(key, last.slice());
    }
  }
  return out;
}
