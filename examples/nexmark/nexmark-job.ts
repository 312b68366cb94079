/**
 * One Nexmark query over generated events, as a job: `rivulet bench nexmark` runs it, and
 * so can `rivulet run`:
 *
 *   npx rivulet run -p 2 examples/nexmark/nexmark-job.ts --query q5 --events 1000000 \
 *     [--rate 10000000] [--rate-limit 50000] [--output out/q5]
 *
 * `--rate` is the events per second of event time (Nexmark's TPS; the default, 10 M/s, is
 * that of the benchmark's published 100M-event suite, so windows hold as many events as
 * there); `--rate-limit` caps the events emitted per second of wall time. Without
 * `--output` the result goes to a DiscardingSink (the benchmark's `blackhole` connector);
 * with it, to CSV part files in that directory.
 */
import { DiscardingSink, FileSink, NexmarkSource, ParameterTool, RateLimiterStrategy, StreamExecutionEnvironment } from 'rivulet';
import type { Sink } from 'rivulet';
import { nexmarkWatermarks } from './common.ts';
import { NEXMARK_QUERIES, isNexmarkQueryName } from './queries.ts';

/** Events per second of event time of the benchmark's 100M suite (`nexmark.workload.suite.100m.tps`). */
export const BENCHMARK_EVENT_RATE = 10_000_000;

const params = ParameterTool.fromArgs(process.argv.slice(2));
const name = params.getRequired('query');
if (!isNexmarkQueryName(name)) throw new Error(`unknown Nexmark query "${name}"; one of ${Object.keys(NEXMARK_QUERIES).join(', ')}`);
const query = NEXMARK_QUERIES[name];
const events = params.getNumber('events', 1_000_000);
const rate = params.getNumber('rate', BENCHMARK_EVENT_RATE);
const rateLimit = params.getNumber('rate-limit');
const output = params.get('output');

const env = StreamExecutionEnvironment.getExecutionEnvironment();
const source = new NexmarkSource({
  events,
  config: { eventsPerSecond: rate },
  ...(rateLimit !== undefined ? { rateLimit: RateLimiterStrategy.perSecond(rateLimit) } : {}),
});
const sink: Sink<object> = output === undefined ? new DiscardingSink() : FileSink.forCsv<object>(output, { columns: query.columns });
query
  .build(env.fromSource(source, nexmarkWatermarks(), 'Nexmark').uid('nexmark-source'))
  .sinkTo(sink)
  .name(output === undefined ? 'Discard' : 'CSV part files')
  .uid('sink');
await env.execute(`nexmark-${name}`);
