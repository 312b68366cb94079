/**
 * The broadcast state pattern: rules broadcast to every subtask of the connected
 * operator, each subtask applying them to the records it gets. End to end at parallelism 2
 * (both subtasks receive every rule and hold the full rule set) against a nested-loop
 * reference of records x rules; the function is written so its output does not depend on
 * whether a record or a rule arrives first. Harness tests pin the read-only view, the
 * unknown-descriptor error and applyToKeyedState.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  BroadcastProcessFunction,
  KeyedBroadcastProcessFunction,
  MapStateDescriptor,
  MAX_WATERMARK,
  RivuletError,
  StreamExecutionEnvironment,
  ValueStateDescriptor,
  WatermarkStrategy,
} from '../../../src/index.ts';
import type { Collector, DataStream, ValueState } from '../../../src/index.ts';
import { TwoInputOperatorTestHarness } from '../../../src/testing/index.ts';

/** A rule: records divisible by `divisor` match it. */
interface Rule {
  readonly name: string;
  readonly divisor: number;
}

interface Match {
  readonly value: number;
  readonly rule: string;
}

const RULES = new MapStateDescriptor<string, Rule>('rules');

const compare = (a: unknown, b: unknown): number => (JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0);

/** Rules seen per subtask, written at close(): every subtask must have seen every rule. */
const rulesPerSubtask = new Map<number, number>();

/**
 * Non-keyed: matches each record against the rules known, and each new rule against the
 * records this subtask has seen, so every (record, rule) match is emitted exactly once by
 * the subtask that got the record, whichever came first.
 */
class MatchRules extends BroadcastProcessFunction<number, Rule, Match> {
  private seen!: number[];
  private rulesSeen!: number;

  override open(): void {
    this.seen = [];
    this.rulesSeen = 0;
  }

  processElement(value: number, ctx: BroadcastProcessFunction.ReadOnlyContext, out: Collector<Match>): void {
    this.seen.push(value);
    for (const rule of ctx.getBroadcastState(RULES).values()) if (value % rule.divisor === 0) out.collect({ value, rule: rule.name });
  }

  processBroadcastElement(rule: Rule, ctx: BroadcastProcessFunction.Context, out: Collector<Match>): void {
    this.rulesSeen++;
    ctx.getBroadcastState(RULES).put(rule.name, rule);
    for (const value of this.seen) if (value % rule.divisor === 0) out.collect({ value, rule: rule.name });
  }

  override close(): void {
    rulesPerSubtask.set(this.getRuntimeContext().indexOfThisSubtask, this.rulesSeen);
  }
}

interface Reading {
  readonly sensor: string;
  readonly value: number;
}

interface KeyedOut {
  readonly kind: 'match' | 'summary';
  readonly sensor: string;
  readonly value: number;
  readonly rule: string;
}

const VALUES = new ValueStateDescriptor<number[]>('values');

/**
 * Keyed: keeps each sensor's values in keyed state and matches them against the rules;
 * a new rule visits every sensor's values through applyToKeyedState. At the end of event
 * time a timer per sensor reports how many values and rules it has (all rules have arrived
 * by then: the broadcast input's final watermark comes after its last rule).
 */
class MatchRulesPerSensor extends KeyedBroadcastProcessFunction<string, Reading, Rule, KeyedOut> {
  private values!: ValueState<number[]>;

  override open(): void {
    this.values = this.getRuntimeContext().getState(VALUES);
  }

  processElement(r: Reading, ctx: KeyedBroadcastProcessFunction.ReadOnlyContext<string>, out: Collector<KeyedOut>): void {
    assert.equal(ctx.getCurrentKey(), r.sensor);
    this.values.update([...(this.values.value() ?? []), r.value]);
    for (const rule of ctx.getBroadcastState(RULES).values()) if (r.value % rule.divisor === 0) out.collect({ kind: 'match', sensor: r.sensor, value: r.value, rule: rule.name });
    ctx.timerService().registerEventTimeTimer(MAX_WATERMARK);
  }

  processBroadcastElement(rule: Rule, ctx: KeyedBroadcastProcessFunction.Context<string>, out: Collector<KeyedOut>): void {
    ctx.getBroadcastState(RULES).put(rule.name, rule);
    ctx.applyToKeyedState(VALUES, (sensor, state) => {
      for (const value of state.value()!) if (value % rule.divisor === 0) out.collect({ kind: 'match', sensor, value, rule: rule.name });
    });
  }

  override onTimer(_at: number, ctx: KeyedBroadcastProcessFunction.OnTimerContext<string>, out: Collector<KeyedOut>): void {
    const rules = [...ctx.getBroadcastState(RULES).keys()].sort().join(',');
    out.collect({ kind: 'summary', sensor: ctx.getCurrentKey(), value: this.values.value()!.length, rule: rules });
  }
}

const ruleSets = fc.uniqueArray(fc.record({ name: fc.constantFrom('r2', 'r3', 'r5', 'r7', 'r11'), divisor: fc.constant(0) }), { selector: (r) => r.name, maxLength: 5 }).map((rs) => rs.map((r): Rule => ({ name: r.name, divisor: Number(r.name.slice(1)) })));

void describe('broadcast state pattern', () => {
  void it('non-keyed at parallelism 2: every subtask gets every rule and applies it to its records', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 4, maxLength: 60 }), ruleSets, async (values, rules) => {
        rulesPerSubtask.clear();
        const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
        const ruleStream = env.fromCollection(rules).broadcast(RULES);
        const got = await env.fromCollection(values).rebalance().connect(ruleStream).process(new MatchRules()).executeAndCollect();
        const expected = values.flatMap((value) => rules.filter((r) => value % r.divisor === 0).map((r): Match => ({ value, rule: r.name })));
        assert.deepEqual(got.sort(compare), expected.sort(compare));
        assert.deepEqual([...rulesPerSubtask].sort(), [
          [0, rules.length],
          [1, rules.length],
        ]);
      }),
      { numRuns: 100 },
    );
  });

  void it('keyed at parallelism 2: rules reach every key through applyToKeyedState, timers see the full rule set', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ sensor: fc.constantFrom('a', 'b', 'c', 'd', 'e'), value: fc.integer({ min: 1, max: 100 }) }), { maxLength: 50 }), ruleSets, async (readings, rules) => {
        const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
        const ruleStream = env.fromCollection(rules).broadcast(RULES);
        const got = await env
          .fromCollection(readings)
          .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Reading>().withTimestampAssigner(() => 0))
          .keyBy((r) => r.sensor)
          .connect(ruleStream)
          .process(new MatchRulesPerSensor())
          .executeAndCollect();
        const matches = readings.flatMap((r) => rules.filter((rule) => r.value % rule.divisor === 0).map((rule): KeyedOut => ({ kind: 'match', sensor: r.sensor, value: r.value, rule: rule.name })));
        const allRules = rules.map((r) => r.name).sort().join(',');
        const counts = new Map<string, number>();
        for (const r of readings) counts.set(r.sensor, (counts.get(r.sensor) ?? 0) + 1);
        const summaries = [...counts].map(([sensor, n]): KeyedOut => ({ kind: 'summary', sensor, value: n, rule: allRules }));
        assert.deepEqual(got.sort(compare), [...matches, ...summaries].sort(compare));
      }),
      { numRuns: 100 },
    );
  });

  void it('the non-broadcast side gets a read-only view; an unregistered descriptor is an error naming the registered ones', async () => {
    const OTHER = new MapStateDescriptor<string, number>('other');
    class Probe extends BroadcastProcessFunction<string, Rule, string> {
      processElement(cmd: string, ctx: BroadcastProcessFunction.ReadOnlyContext, out: Collector<string>): void {
        if (cmd === 'other') ctx.getBroadcastState(OTHER);
        const view = ctx.getBroadcastState(RULES);
        out.collect(`${'put' in view}:${[...view.keys()].join(',')}:${view.contains('r2')}:${view.get('r2')?.divisor}`);
      }
      processBroadcastElement(rule: Rule, ctx: BroadcastProcessFunction.Context): void {
        const state = ctx.getBroadcastState(RULES);
        if (rule.divisor === 0) state.remove(rule.name);
        else state.put(rule.name, rule);
      }
    }
    const h = TwoInputOperatorTestHarness.of((a: DataStream<string>, b: DataStream<Rule>) => a.connect(b.broadcast(RULES)).process(new Probe()));
    await h.open();
    h.processElement1('x');
    h.processElement2({ name: 'r2', divisor: 2 });
    h.processElement2({ name: 'r3', divisor: 3 });
    h.processElement1('x');
    h.processElement2({ name: 'r2', divisor: 0 });
    h.processElement1('x');
    assert.deepEqual(h.extractOutputValues(), ['false::false:undefined', 'false:r2,r3:true:2', 'false:r3:false:undefined']);
    assert.throws(
      () => h.processElement1('other'),
      (e: unknown) => e instanceof RivuletError && e.code === 'INVALID_ARGUMENT' && /"other" does not exist.*registered: "rules"/.test(e.message),
    );
  });

  void it('applyToKeyedState visits exactly the keys holding that state, and may clear it', async () => {
    const COUNT = new ValueStateDescriptor<number>('count');
    const FLAG = new ValueStateDescriptor<boolean>('flag');
    class Count extends KeyedBroadcastProcessFunction<string, string, string, string> {
      private count!: ValueState<number>;
      private flag!: ValueState<boolean>;
      override open(): void {
        this.count = this.getRuntimeContext().getState(COUNT);
        this.flag = this.getRuntimeContext().getState(FLAG);
      }
      processElement(key: string): void {
        if (key.startsWith('flag')) this.flag.update(true);
        else this.count.update((this.count.value() ?? 0) + 1);
      }
      processBroadcastElement(cmd: string, ctx: KeyedBroadcastProcessFunction.Context<string>, out: Collector<string>): void {
        ctx.applyToKeyedState(COUNT, (key, state) => {
          out.collect(`${key}=${state.value()}`);
          if (cmd === 'reset') state.clear();
        });
      }
    }
    const h = TwoInputOperatorTestHarness.of((a: DataStream<string>, b: DataStream<string>) => a.keyBy((k) => k).connect(b.broadcast(RULES)).process(new Count()));
    await h.open();
    for (const k of ['a', 'b', 'a', 'flag1']) h.processElement1(k);
    h.processElement2('report');
    assert.deepEqual(h.extractOutputValues().sort(), ['a=2', 'b=1']);
    h.clearOutput();
    h.processElement2('reset');
    h.processElement2('report');
    assert.deepEqual(h.extractOutputValues().sort(), ['a=2', 'b=1']);
    assert.equal(h.numKeyedStateEntries(), 1, 'only the flag of key flag1 is left');
  });

  void it('rejects a keyed function on a non-keyed stream, and duplicate descriptor names, when the job is built', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    class K extends KeyedBroadcastProcessFunction<string, number, number, number> {
      processElement(): void {}
      processBroadcastElement(): void {}
    }
    assert.throws(() => env.fromElements(1).connect(env.fromElements(2).broadcast(RULES)).process(new K() as never), /only be used on a keyed stream/);
    assert.throws(() => env.fromElements(1).broadcast(RULES, new MapStateDescriptor('rules')), /two state descriptors are named "rules"/);
  });
});
