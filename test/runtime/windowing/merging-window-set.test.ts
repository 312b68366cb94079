import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Duration, EventTimeSessionWindows, RivuletError, TimeWindow } from '../../../src/index.ts';
import { HeapKeyedStateBackend } from '../../../src/runtime/state/heap-keyed-state-backend.ts';
import { MergingWindowSet } from '../../../src/runtime/windowing/merging-window-set.ts';
import type { MergeFunction } from '../../../src/runtime/windowing/merging-window-set.ts';

const w = (start: number, end: number): TimeWindow => new TimeWindow(start, end);
const str = (ws: readonly TimeWindow[]): string[] => ws.map((x) => `${x.start}-${x.end}`);

function setup() {
  const backend = new HeapKeyedStateBackend();
  backend.setCurrentKey('k');
  const set = new MergingWindowSet<TimeWindow>(EventTimeSessionWindows.withGap(Duration.ofMillis(10)), backend);
  set.load();
  const merges: string[] = [];
  const onMerge: MergeFunction<TimeWindow> = (result, merged, stateWindow, mergedStateWindows) =>
    merges.push(`${str([result])} <- ${str(merged).join(' ')} state ${str([stateWindow])} <- ${str(mergedStateWindows).join(' ')}`);
  return { backend, set, merges, onMerge };
}

void describe('MergingWindowSet', () => {
  void test('a window that merges with nothing is its own state window', () => {
    const { set, merges, onMerge } = setup();
    assert.deepEqual(str([set.addWindow(w(0, 10), onMerge)]), ['0-10']);
    assert.deepEqual(str([set.getStateWindow(w(0, 10))!]), ['0-10']);
    assert.deepEqual(merges, []);
  });

  void test('merging keeps the state window of a merged in-flight window and names the others to fold in', () => {
    const { set, merges, onMerge } = setup();
    set.addWindow(w(0, 10), onMerge);
    set.addWindow(w(20, 30), onMerge);
    const result = set.addWindow(w(8, 22), onMerge);
    assert.deepEqual(str([result]), ['0-30']);
    assert.deepEqual(merges, ['0-30 <- 0-10 20-30 state 0-10 <- 20-30']);
    assert.deepEqual(str(set.windows()), ['0-30']);
    assert.deepEqual(str([set.getStateWindow(w(0, 30))!]), ['0-10']);
  });

  void test('a window inside an in-flight one changes nothing; one equal to it keeps its state window', () => {
    const { set, merges, onMerge } = setup();
    set.addWindow(w(5, 15), onMerge);
    set.addWindow(w(0, 10), onMerge); // -> [0,15), state window [5,15)
    merges.length = 0;
    assert.deepEqual(str([set.addWindow(w(2, 12), onMerge)]), ['0-15']);
    assert.deepEqual(str([set.addWindow(w(0, 15), onMerge)]), ['0-15'], 'a dynamic gap can produce exactly the merged window');
    assert.deepEqual(merges, []);
    assert.deepEqual(str([set.getStateWindow(w(0, 15))!]), ['5-15'], 'the pane is not lost');
  });

  void test('is keyed state: persisted per key, gone when the last window retires', () => {
    const { backend, set, onMerge } = setup();
    set.addWindow(w(0, 10), onMerge);
    set.persist();
    backend.setCurrentKey('other');
    set.load();
    assert.deepEqual(set.windows(), []);
    backend.setCurrentKey('k');
    set.load();
    assert.deepEqual(str(set.windows()), ['0-10']);
    set.retireWindow(w(0, 10));
    set.persist();
    assert.equal(backend.numKeys(), 0);
    assert.throws(() => set.retireWindow(w(0, 10)), RivuletError);
  });
});

void describe('TimeWindow.mergeWindows', () => {
  void test('groups overlapping and touching windows, sorted by start; single windows are not reported', () => {
    const groups: string[] = [];
    TimeWindow.mergeWindows([w(20, 30), w(0, 5), w(5, 8), w(40, 50), w(25, 45), w(60, 61), w(3, 4)], (merged, result) =>
      groups.push(`${str([result])}: ${str(merged).join(' ')}`),
    );
    assert.deepEqual(groups, ['0-8: 0-5 3-4 5-8', '20-50: 20-30 25-45 40-50']);
  });
});
