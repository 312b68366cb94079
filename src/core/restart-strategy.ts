/**
 * Restart strategies, as Flink's (`RestartStrategies`): what the mini-cluster does when a
 * task fails. The configuration is plain data (it travels in the job graph); a
 * {@link RestartBackoff} is the per-job state that decides each restart and its delay.
 *
 * Default (no strategy set): no restart without checkpointing; with checkpointing, a fixed
 * delay of 1 s and Integer.MAX_VALUE attempts — as Flink.
 * Errors that cannot be retried (RivuletError with canRetry = false) fail the job at once.
 */
import { RivuletError } from './errors.ts';
import type { Duration } from './time.ts';

export type RestartStrategyConfig =
  | { readonly kind: 'none' }
  | { readonly kind: 'fixed-delay'; readonly attempts: number; readonly delayMs: number }
  | {
      readonly kind: 'exponential-delay';
      readonly initialBackoffMs: number;
      readonly maxBackoffMs: number;
      readonly backoffMultiplier: number;
      readonly resetBackoffThresholdMs: number;
      readonly jitterFactor: number;
    }
  | { readonly kind: 'failure-rate'; readonly maxFailuresPerInterval: number; readonly intervalMs: number; readonly delayMs: number };

export interface ExponentialDelayOptions {
  readonly initialBackoff?: Duration;
  readonly maxBackoff?: Duration;
  readonly backoffMultiplier?: number;
  readonly resetBackoffThreshold?: Duration;
  readonly jitterFactor?: number;
}

function nonNegative(name: string, v: number): number {
  if (!Number.isFinite(v) || v < 0) throw new RangeError(`${name} must be a finite number >= 0, got ${v}`);
  return v;
}

/** Factories of restart strategy configurations; as Flink's `RestartStrategies`. */
export const RestartStrategies = {
  noRestart(): RestartStrategyConfig {
    return { kind: 'none' };
  },
  fixedDelayRestart(restartAttempts: number, delay: Duration): RestartStrategyConfig {
    if (!Number.isInteger(restartAttempts) || restartAttempts < 0) throw new RangeError(`restartAttempts must be an integer >= 0, got ${restartAttempts}`);
    return { kind: 'fixed-delay', attempts: restartAttempts, delayMs: delay.toMillis() };
  },
  exponentialDelayRestart(o: ExponentialDelayOptions = {}): RestartStrategyConfig {
    const multiplier = o.backoffMultiplier ?? 2;
    if (!(multiplier >= 1)) throw new RangeError(`backoffMultiplier must be >= 1, got ${multiplier}`);
    const jitter = nonNegative('jitterFactor', o.jitterFactor ?? 0.1);
    if (jitter > 1) throw new RangeError(`jitterFactor must be in [0, 1], got ${jitter}`);
    return {
      kind: 'exponential-delay',
      initialBackoffMs: o.initialBackoff?.toMillis() ?? 1000,
      maxBackoffMs: o.maxBackoff?.toMillis() ?? 5 * 60_000,
      backoffMultiplier: multiplier,
      resetBackoffThresholdMs: o.resetBackoffThreshold?.toMillis() ?? 60 * 60_000,
      jitterFactor: jitter,
    };
  },
  failureRateRestart(maxFailuresPerInterval: number, interval: Duration, delay: Duration): RestartStrategyConfig {
    if (!Number.isInteger(maxFailuresPerInterval) || maxFailuresPerInterval < 1) {
      throw new RangeError(`maxFailuresPerInterval must be an integer >= 1, got ${maxFailuresPerInterval}`);
    }
    return { kind: 'failure-rate', maxFailuresPerInterval, intervalMs: interval.toMillis(), delayMs: delay.toMillis() };
  },
} as const;

/** Flink's default with checkpointing on: fixed delay, Integer.MAX_VALUE attempts, 1 s. */
export const DEFAULT_CHECKPOINTING_RESTART: RestartStrategyConfig = { kind: 'fixed-delay', attempts: 2_147_483_647, delayMs: 1000 };

/** The strategy a job runs with: its own, else the default for whether it checkpoints. */
export function effectiveRestartStrategy(config: RestartStrategyConfig | undefined, checkpointing: boolean): RestartStrategyConfig {
  return config ?? (checkpointing ? DEFAULT_CHECKPOINTING_RESTART : { kind: 'none' });
}

/** Whether an error may be recovered from by a restart (RivuletError codes say; anything else may). */
export function isRecoverable(e: unknown): boolean {
  return !(e instanceof RivuletError) || e.canRetry;
}

/** The restart decisions of one job. `now` is monotonic ms; `random` in [0, 1). */
export class RestartBackoff {
  private readonly config: RestartStrategyConfig;
  private readonly random: () => number;
  private restarts = 0;
  private readonly failureTimes: number[] = [];
  private currentBackoff = 0;
  private lastFailureAt: number | undefined;

  constructor(config: RestartStrategyConfig, random: () => number = Math.random) {
    this.config = config;
    this.random = random;
  }

  /**
   * A task failed at `now`: the delay before the restart, or undefined if the job fails.
   */
  onFailure(error: unknown, now: number): number | undefined {
    if (!isRecoverable(error)) return undefined;
    const c = this.config;
    switch (c.kind) {
      case 'none':
        return undefined;
      case 'fixed-delay':
        if (this.restarts >= c.attempts) return undefined;
        this.restarts++;
        return c.delayMs;
      case 'failure-rate': {
        this.failureTimes.push(now);
        while (this.failureTimes.length > 0 && this.failureTimes[0]! <= now - c.intervalMs) this.failureTimes.shift();
        if (this.failureTimes.length > c.maxFailuresPerInterval) return undefined;
        this.restarts++;
        return c.delayMs;
      }
      case 'exponential-delay': {
        if (this.lastFailureAt !== undefined && now - this.lastFailureAt >= c.resetBackoffThresholdMs) this.currentBackoff = 0;
        this.currentBackoff = this.currentBackoff === 0 ? c.initialBackoffMs : Math.min(this.currentBackoff * c.backoffMultiplier, c.maxBackoffMs);
        this.lastFailureAt = now;
        this.restarts++;
        const jitter = this.currentBackoff * c.jitterFactor * (this.random() * 2 - 1);
        return Math.max(0, Math.round(this.currentBackoff + jitter));
      }
    }
  }
}
