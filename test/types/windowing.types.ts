/**
 * Type tests of the windowing API: window types flow from the assigner to the window
 * functions, and what must not compile does not. Checked by `npm run typecheck`, never run.
 */
import {
  CountEvictor,
  DeltaEvictor,
  Duration,
  EventTimeSessionWindows,
  GlobalWindows,
  ProcessAllWindowFunction,
  ProcessWindowFunction,
  SlidingProcessingTimeWindows,
} from '../../src/index.ts';
import type { AllWindowedStream, Collector, DataStream, GlobalWindow, KeyedStream, TimeWindow, WindowedStream } from '../../src/index.ts';
import { expectType } from './type-assert.ts';

interface Click {
  readonly user: string;
  readonly ts: number;
  readonly x: number;
}

export function windowingTypes(clicks: DataStream<Click>, keyed: KeyedStream<Click, string>): void {
  expectType<WindowedStream<Click, string, TimeWindow>>()(keyed.window(EventTimeSessionWindows.withGap(Duration.ofMinutes(30))));
  expectType<WindowedStream<Click, string, TimeWindow>>()(keyed.window(EventTimeSessionWindows.withDynamicGap((c: Click) => c.x)));
  expectType<WindowedStream<Click, string, GlobalWindow>>()(keyed.countWindow(10, 2));
  expectType<AllWindowedStream<Click, TimeWindow>>()(clicks.windowAll(SlidingProcessingTimeWindows.of(Duration.ofSeconds(10), Duration.ofSeconds(5))));
  expectType<AllWindowedStream<Click, GlobalWindow>>()(clicks.countWindowAll(5));

  // The window function sees the assigner's window type and the key type.
  expectType<DataStream<string>>()(
    keyed.window(EventTimeSessionWindows.withGap(Duration.ofMinutes(30))).apply((key, window, clicks, out: Collector<string>) => {
      expectType<string>()(key);
      expectType<TimeWindow>()(window);
      expectType<Iterable<Click>>()(clicks);
      out.collect(`${window.start}`);
    }),
  );
  class Sessions extends ProcessWindowFunction<Click, number, string, TimeWindow> {
    process(_key: string, ctx: ProcessWindowFunction.Context<TimeWindow>, elements: Iterable<Click>, out: Collector<number>): void {
      out.collect(ctx.window().end - [...elements].length);
    }
  }
  expectType<DataStream<number>>()(keyed.window(EventTimeSessionWindows.withGap(Duration.ofMinutes(30))).process(new Sessions()));
  class All extends ProcessAllWindowFunction<Click, string, GlobalWindow> {
    process(ctx: ProcessAllWindowFunction.Context<GlobalWindow>, _e: Iterable<Click>, out: Collector<string>): void {
      out.collect(String(ctx.window()));
    }
  }
  expectType<DataStream<string>>()(clicks.countWindowAll(3).process(new All()));
  expectType<DataStream<Click>>()(keyed.countWindow(3).evictor(DeltaEvictor.of(1, (a: Click, b: Click) => b.x - a.x)).evictor(CountEvictor.of(2)).reduce((a) => a));

  // @ts-expect-error a ProcessWindowFunction over TimeWindows does not fit GlobalWindows
  keyed.window(GlobalWindows.create()).process(new Sessions());
  // @ts-expect-error windowAll functions get no key: a keyed ProcessWindowFunction does not fit
  clicks.countWindowAll(3).process(new Sessions());
}
