/**
 * The savepoint operations a REST server has started, by trigger id, as Flink's
 * `CompletedOperationCache`: `POST .../savepoints` and `POST .../stop` answer with an id at
 * once, and `GET .../savepoints/:triggerid` reports IN_PROGRESS until the operation ended,
 * then its savepoint location or failure cause. A stop-with-savepoint ends the job, and with
 * it the process that serves this API: {@link delivered} tells the server when every ended
 * operation's result has been fetched, so it can wait for that before it closes.
 */
import { randomBytes } from 'node:crypto';
import { RivuletError } from '../../core/errors.ts';
import type { FailureCause, SavepointStatus } from './rest-messages.ts';

interface Operation {
  readonly jobId: string;
  result: { readonly location: string } | { readonly failure: FailureCause } | undefined;
  /** Its ended result was fetched. */
  delivered: boolean;
}

export class SavepointTriggers {
  private readonly operations = new Map<string, Operation>();
  private waiters: (() => void)[] = [];

  /** Registers an operation of `jobId` that `savepoint` settles; returns its trigger id. */
  start(jobId: string, savepoint: Promise<string>): string {
    const id = randomBytes(16).toString('hex');
    const op: Operation = { jobId, result: undefined, delivered: false };
    this.operations.set(id, op);
    savepoint.then(
      (location) => (op.result = { location }),
      (e: unknown) => (op.result = { failure: failureCause(e) }),
    );
    return id;
  }

  /** The status of trigger `triggerId` of `jobId`; undefined when there is no such trigger. */
  status(jobId: string, triggerId: string): SavepointStatus | undefined {
    const op = this.operations.get(triggerId);
    if (op === undefined || op.jobId !== jobId) return undefined;
    const r = op.result;
    if (r === undefined) return { status: { id: 'IN_PROGRESS' } };
    op.delivered = true;
    this.checkDelivered();
    return { status: { id: 'COMPLETED' }, operation: 'location' in r ? { location: r.location } : { 'failure-cause': r.failure } };
  }

  /** Resolves once no operation is in progress or ended without its result fetched. */
  delivered(): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.checkDelivered();
    });
  }

  private checkDelivered(): void {
    for (const op of this.operations.values()) if (!op.delivered) return;
    for (const w of this.waiters.splice(0)) w();
  }
}

function failureCause(e: unknown): FailureCause {
  if (e instanceof RivuletError) return { class: e.name, code: e.code, 'stack-trace': e.message };
  if (e instanceof Error) return { class: e.name, 'stack-trace': e.message };
  return { class: 'Error', 'stack-trace': String(e) };
}
