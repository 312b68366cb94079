/**
 * Departures per origin airport and hour of 2013 New York flights, in event time.
 *
 *   npx rivulet run -p 2 examples/flights/departures-per-origin-hour.ts \
 *     --input data/nycflights13/flights_2013.csv.gz --output out/departures
 *
 * Event time is the actual departure (`dep_epoch`, seconds -> ms). Cancelled flights have
 * no departure time: they are skipped and counted in the `cancelled` counter. Flights that
 * left after midnight of their scheduled day appear up to a day late in the file, hence
 * 24 hours of allowed out-of-orderness. Per origin and 1-hour tumbling window the job
 * writes the number of departures, the sum and the max of the departure delay (minutes).
 *
 * The window logic is shared with examples/kafka/flights-departures.ts
 * (departures-per-origin-hour-logic.ts).
 *
 * `--checkpoint-interval <ms>` (off by default) enables exactly-once checkpoints: the CSV
 * part files are then committed on checkpoint completion (FileSink's two-phase commit).
 */
import { CheckpointingMode, CsvTypes, FileSink, FileSource, ParameterTool, RichFilterFunction, StreamExecutionEnvironment } from 'rivulet';
import type { Counter, CsvRow, OpenContext } from 'rivulet';
import { departureTime, departuresPerOriginHour, ORIGIN_HOUR_COLUMNS } from './departures-per-origin-hour-logic.ts';
import type { Departure, OriginHour } from './departures-per-origin-hour-logic.ts';

const params = ParameterTool.fromArgs(process.argv.slice(2));
const input = params.getRequired('input');
const output = params.getRequired('output');
const checkpointInterval = params.has('checkpoint-interval') ? Number(params.getRequired('checkpoint-interval')) : undefined;

const schema = {
  dep_epoch: CsvTypes.integer().nullable(),
  dep_delay: CsvTypes.number().nullable(),
  origin: CsvTypes.string(),
};
type Flight = CsvRow<typeof schema>;

/** Keeps departed flights; counts the cancelled ones (no departure time). */
class SkipCancelled extends RichFilterFunction<Flight> {
  private cancelled!: Counter;
  override open(_ctx: OpenContext): void {
    this.cancelled = this.getRuntimeContext().getCounter('cancelled');
  }
  filter(f: Flight): boolean {
    if (f.dep_epoch === null) {
      this.cancelled.add(1);
      return false;
    }
    return true;
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
if (checkpointInterval !== undefined) env.enableCheckpointing(checkpointInterval, CheckpointingMode.EXACTLY_ONCE);

const departures = env
  .fromSource(FileSource.forCsv(input, schema), undefined, 'flights')
  .uid('flights-source')
  .filter(new SkipCancelled())
  .name('Skip cancelled')
  .uid('skip-cancelled')
  .map((f): Departure => ({ dep_epoch: f.dep_epoch!, dep_delay: f.dep_delay ?? 0, origin: f.origin }))
  .name('To departure')
  .uid('to-departure')
  .assignTimestampsAndWatermarks(departureTime())
  .uid('departure-time');
departuresPerOriginHour(departures)
  .sinkTo(FileSink.forCsv<OriginHour>(output, { columns: [...ORIGIN_HOUR_COLUMNS] }))
  .name('CSV part files')
  .uid('csv-sink');

const result = await env.execute('departures-per-origin-hour');
console.log(`cancelled flights skipped: ${result.getAccumulatorResult('cancelled') ?? 0}`);
