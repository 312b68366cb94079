/**
 * The table `rivulet run` prints to stdout when a job finishes: one row per operator (in
 * the snapshot's order, sources first), then the job's net runtime and its accumulators.
 * A pure function of the result, so it is unit-tested without running a job.
 */
import type { JobExecutionResult, OperatorMetrics } from '../index.ts';
import { formatCount } from './progress.ts';

interface Column {
  readonly title: string;
  readonly align: 'left' | 'right';
  cell(o: OperatorMetrics, isSource: boolean): string;
}

const COLUMNS: readonly Column[] = [
  { title: 'Operator', align: 'left', cell: (o) => o.name },
  { title: 'uid', align: 'left', cell: (o) => o.uid },
  { title: 'Parallelism', align: 'right', cell: (o) => String(o.parallelism) },
  { title: 'Records in', align: 'right', cell: (o) => formatCount(o.recordsIn) },
  { title: 'Records out', align: 'right', cell: (o) => formatCount(o.recordsOut) },
  { title: 'Late dropped', align: 'right', cell: (o) => formatCount(o.lateRecordsDropped) },
  // Only sources parse input; a dash says "not applicable" rather than "none".
  { title: 'Malformed', align: 'right', cell: (o, isSource) => (isSource ? formatCount(o.malformedRecords) : '-') },
  { title: 'Duration', align: 'right', cell: (o) => (o.endTime === undefined ? '-' : `${((o.endTime - o.startTime) / 1000).toFixed(2)} s`) },
];

/**
 * @param sourceUids the uids of the source operators (see `sourceUidsFromPlan`); an
 *   operator not in it is shown without a malformed-record count. When empty, every
 *   operator shows its count.
 */
export function formatSummary(result: JobExecutionResult, sourceUids: ReadonlySet<string> = new Set()): string {
  const ops = result.metrics.operators;
  const rows = [
    COLUMNS.map((c) => c.title),
    ...ops.map((o) => COLUMNS.map((c) => c.cell(o, sourceUids.size === 0 || sourceUids.has(o.uid)))),
  ];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = [`Job "${result.jobName}" finished.`, ''];
  for (const r of rows) {
    lines.push(
      r
        .map((cell, i) => (COLUMNS[i]!.align === 'left' ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
        .join('  ')
        .trimEnd(),
    );
  }
  lines.push('', `Net runtime: ${(result.getNetRuntime() / 1000).toFixed(3)} s`);
  if (result.getRestarts() > 0) lines.push(`Restarts: ${result.getRestarts()}`);
  const accumulators = [...result.getAllAccumulatorResults()];
  if (accumulators.length > 0) {
    lines.push('Accumulators:');
    const w = Math.max(...accumulators.map(([name]) => name.length));
    for (const [name, value] of accumulators) lines.push(`  ${name.padEnd(w)}  ${value.toLocaleString('en-US', { maximumFractionDigits: 6 })}`);
  }
  return lines.join('\n') + '\n';
}
