/**
 * Activity sessions of MathOverflow users, in event time: per `src_user`, the bursts of
 * answers and comments with no pause of 30 minutes or more (session windows), 2009-2016.
 *
 *   npx rivulet run -p 2 examples/mathoverflow/user-sessions.ts \
 *     --input data/sx_mathoverflow/sx_mathoverflow_events.csv.gz \
 *     --output out/user-sessions --late-output out/user-sessions-late [--punctuated]
 *
 * Output per session: src_user, session_start (the first event), session_end (the
 * session window's end: the last event + 30 minutes, as Flink's TimeWindow), the number of
 * events, of distinct users interacted with (dst_user), and per interaction type (a2q:
 * answered a question, c2q: commented on a question, c2a: commented on an answer).
 * Times are ISO-8601 UTC with milliseconds.
 *
 * Event time is `ts_epoch` (seconds -> ms), assigned at the source, so the file's split
 * gets its own watermark generator. Watermarks trail the largest timestamp seen by
 * BOUND = 1 hour. Why 1 hour: the file is a merge of three time-ordered files that kept
 * their own disorder; 1,190 events are behind the running maximum, 148 of them by less
 * than an hour, and 772 by more than a day — some by years (activity on old posts). No
 * bound short of years catches those stragglers, and every hour of bound delays every
 * session's result by that hour of event time; one hour (twice the gap) absorbs the local
 * reordering of the merge and leaves the stragglers to the late-data path.
 *
 * An event is *late* when it cannot join a session that is still open and its own
 * session `[t, t + 30 min)` has already ended by the watermark (Flink's session semantics
 * with allowedLateness 0): it is written to `--late-output` (CSV, with its fields) and
 * counted in the `late events` counter instead of being dropped silently.
 *
 * Which events are late depends on when watermarks are emitted. By default the
 * bounded-out-of-orderness watermark is emitted every 200 ms of processing time (Flink's
 * `forBoundedOutOfOrderness`), so replaying a file, how late the watermark lags depends on
 * how fast the file is read. With `--punctuated` the same watermark (largest timestamp so
 * far - BOUND - 1 ms) is emitted after every event, so the late events depend only on the
 * order of the file: reproducible, at the cost of a watermark per event. The source runs
 * with parallelism 1 (one gzip file is one split), so every window subtask sees the
 * watermarks in the file's order.
 */
import {
  BoundedOutOfOrdernessWatermarks,
  CsvTypes,
  Duration,
  EventTimeSessionWindows,
  FileSink,
  FileSource,
  OutputTag,
  ParameterTool,
  ProcessWindowFunction,
  RichMapFunction,
  StreamExecutionEnvironment,
  WatermarkStrategy,
} from 'rivulet';
import type { AggregateFunction, Collector, Counter, CsvRow, OpenContext, TimeWindow, WatermarkGenerator, WatermarkOutput } from 'rivulet';

const params = ParameterTool.fromArgs(process.argv.slice(2));
const input = params.getRequired('input');
const output = params.getRequired('output');
const lateOutput = params.getRequired('late-output');

const GAP = Duration.ofMinutes(30);
const BOUND = Duration.ofHours(1);

const schema = {
  ts_epoch: CsvTypes.integer(),
  ts_utc: CsvTypes.string(),
  src_user: CsvTypes.integer(),
  dst_user: CsvTypes.integer(),
  type: CsvTypes.string(),
};
type Interaction = CsvRow<typeof schema>;

/** The bounded-out-of-orderness watermark, emitted after every event instead of periodically. */
class PerEvent<T> implements WatermarkGenerator<T> {
  private readonly watermarks: WatermarkGenerator<T>;
  constructor(watermarks: WatermarkGenerator<T>) {
    this.watermarks = watermarks;
  }
  onEvent(event: T, timestamp: number, output: WatermarkOutput): void {
    this.watermarks.onEvent(event, timestamp, output);
    this.watermarks.onPeriodicEmit(output);
  }
  onPeriodicEmit(): void {}
}

const eventTime = (
  params.has('punctuated')
    ? WatermarkStrategy.forGenerator<Interaction>(() => new PerEvent(new BoundedOutOfOrdernessWatermarks<Interaction>(BOUND)))
    : WatermarkStrategy.forBoundedOutOfOrderness<Interaction>(BOUND)
).withTimestampAssigner((e) => e.ts_epoch * 1000);

interface SessionStats {
  events: number;
  dstUsers: Set<number>;
  a2q: number;
  c2q: number;
  c2a: number;
}

/** Incremental: one accumulator per user and session; sessions that merge merge their accumulators. */
const sessionStats: AggregateFunction<Interaction, SessionStats, SessionStats> = {
  createAccumulator: () => ({ events: 0, dstUsers: new Set(), a2q: 0, c2q: 0, c2a: 0 }),
  add: (e, acc) => {
    acc.events++;
    acc.dstUsers.add(e.dst_user);
    if (e.type === 'a2q') acc.a2q++;
    else if (e.type === 'c2q') acc.c2q++;
    else if (e.type === 'c2a') acc.c2a++;
    return acc;
  },
  getResult: (acc) => acc,
  merge: (a, b) => ({
    events: a.events + b.events,
    dstUsers: new Set([...a.dstUsers, ...b.dstUsers]),
    a2q: a.a2q + b.a2q,
    c2q: a.c2q + b.c2q,
    c2a: a.c2a + b.c2a,
  }),
};

interface UserSession {
  src_user: number;
  session_start: string;
  session_end: string;
  events: number;
  distinct_dst_users: number;
  a2q: number;
  c2q: number;
  c2a: number;
}

class ToUserSession extends ProcessWindowFunction<SessionStats, UserSession, number, TimeWindow> {
  process(user: number, ctx: ProcessWindowFunction.Context<TimeWindow>, stats: Iterable<SessionStats>, out: Collector<UserSession>): void {
    const w = ctx.window();
    for (const s of stats) {
      out.collect({
        src_user: user,
        session_start: new Date(w.start).toISOString(),
        session_end: new Date(w.end).toISOString(),
        events: s.events,
        distinct_dst_users: s.dstUsers.size,
        a2q: s.a2q,
        c2q: s.c2q,
        c2a: s.c2a,
      });
    }
  }
}

/** Counts the late events on their way to the late file. */
class CountLate extends RichMapFunction<Interaction, Interaction> {
  private late!: Counter;
  override open(_ctx: OpenContext): void {
    this.late = this.getRuntimeContext().getCounter('late events');
  }
  map(e: Interaction): Interaction {
    this.late.add(1);
    return e;
  }
}

const LATE = new OutputTag<Interaction>('late-interactions');

const env = StreamExecutionEnvironment.getExecutionEnvironment();

const sessions = env
  .fromSource(FileSource.forCsv(input, schema), eventTime, 'mathoverflow interactions')
  .uid('interactions')
  .setParallelism(1)
  .keyBy((e) => e.src_user)
  .window(EventTimeSessionWindows.withGap(GAP))
  .sideOutputLateData(LATE)
  .aggregate(sessionStats, new ToUserSession())
  .name('Sessions per user')
  .uid('user-sessions');

sessions
  .sinkTo(
    FileSink.forCsv<UserSession>(output, {
      columns: ['src_user', 'session_start', 'session_end', 'events', 'distinct_dst_users', 'a2q', 'c2q', 'c2a'],
    }),
  )
  .name('Sessions CSV')
  .uid('sessions-sink');

sessions
  .getSideOutput(LATE)
  .map(new CountLate())
  .name('Count late events')
  .uid('count-late')
  .sinkTo(FileSink.forCsv<Interaction>(lateOutput, { columns: ['ts_epoch', 'ts_utc', 'src_user', 'dst_user', 'type'] }))
  .name('Late events CSV')
  .uid('late-sink');

const result = await env.execute('user-sessions');
console.log(`late events: ${result.getAccumulatorResult('late events') ?? 0}`);
