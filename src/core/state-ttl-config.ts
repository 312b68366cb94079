/**
 * Time-to-live of keyed state, as Flink's `StateTtlConfig`:
 *
 * ```ts
 * const ttl = StateTtlConfig.newBuilder(Duration.ofHours(1))
 *   .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
 *   .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
 *   .cleanupFullSnapshot()
 *   .build();
 * descriptor.enableTimeToLive(ttl);
 * ```
 *
 * Every value (every element of a ListState, every entry of a MapState) carries the time it
 * was last written (or read, with OnReadAndWrite); it is expired once `ttl` ms of the
 * operator's processing time have passed since. Expired values are never returned with
 * NeverReturnExpired, and are removed when read, when a snapshot is taken (cleanupFullSnapshot)
 * and a few entries per state access (cleanupIncrementally, on by default as in Flink).
 * Time is processing time only (Flink's only TtlTimeCharacteristic).
 */
import { Duration } from './time.ts';

const UpdateType = {
  /** TTL is disabled: state never expires. */
  Disabled: 'Disabled',
  /** The timestamp is set when the value is created and on every write. */
  OnCreateAndWrite: 'OnCreateAndWrite',
  /** As OnCreateAndWrite, and also on every read. */
  OnReadAndWrite: 'OnReadAndWrite',
} as const;

const StateVisibility = {
  /** An expired value is returned if it was not cleaned up yet (it is then cleaned up). */
  ReturnExpiredIfNotCleanedUp: 'ReturnExpiredIfNotCleanedUp',
  /** An expired value is never returned. */
  NeverReturnExpired: 'NeverReturnExpired',
} as const;

const TtlTimeCharacteristic = {
  ProcessingTime: 'ProcessingTime',
} as const;

/** How expired state is removed besides on read. */
export interface TtlCleanupStrategies {
  /** Expired values are left out of snapshots (they stay in the running backend). */
  readonly fullSnapshot: boolean;
  /**
   * Each access to the state also checks `cleanupSize` further entries of it and removes
   * expired ones (and, with `runCleanupForEveryRecord`, every record of the operator does).
   * Undefined when disabled.
   */
  readonly incremental: { readonly cleanupSize: number; readonly runCleanupForEveryRecord: boolean } | undefined;
}

export class StateTtlConfig {
  static readonly UpdateType = UpdateType;
  static readonly StateVisibility = StateVisibility;
  static readonly TtlTimeCharacteristic = TtlTimeCharacteristic;

  private readonly updateType: StateTtlConfig.UpdateType;
  private readonly stateVisibility: StateTtlConfig.StateVisibility;
  private readonly ttl: Duration;
  private readonly cleanupStrategies: TtlCleanupStrategies;

  /** Use {@link StateTtlConfig.newBuilder}. */
  constructor(options: {
    updateType: StateTtlConfig.UpdateType;
    stateVisibility: StateTtlConfig.StateVisibility;
    ttl: Duration;
    cleanupStrategies: TtlCleanupStrategies;
  }) {
    this.updateType = options.updateType;
    this.stateVisibility = options.stateVisibility;
    this.ttl = options.ttl;
    this.cleanupStrategies = options.cleanupStrategies;
  }

  /** TTL off (the default of every descriptor). */
  static readonly DISABLED = new StateTtlConfig({
    updateType: UpdateType.Disabled,
    stateVisibility: StateVisibility.NeverReturnExpired,
    ttl: Duration.ofMillis(Number.MAX_SAFE_INTEGER),
    cleanupStrategies: { fullSnapshot: false, incremental: undefined },
  });

  /** @throws RangeError unless `ttl` is positive. */
  static newBuilder(ttl: Duration): StateTtlConfig.Builder {
    return new StateTtlConfigBuilder(ttl);
  }

  getUpdateType(): StateTtlConfig.UpdateType {
    return this.updateType;
  }
  getStateVisibility(): StateTtlConfig.StateVisibility {
    return this.stateVisibility;
  }
  getTtl(): Duration {
    return this.ttl;
  }
  getTtlTimeCharacteristic(): StateTtlConfig.TtlTimeCharacteristic {
    return TtlTimeCharacteristic.ProcessingTime;
  }
  getCleanupStrategies(): TtlCleanupStrategies {
    return this.cleanupStrategies;
  }
  isEnabled(): boolean {
    return this.updateType !== UpdateType.Disabled;
  }
  toString(): string {
    const c = this.cleanupStrategies;
    const cleanup = [c.fullSnapshot ? 'fullSnapshot' : undefined, c.incremental !== undefined ? `incremental(${c.incremental.cleanupSize})` : undefined].filter((s) => s !== undefined);
    return `StateTtlConfig{ttl=${this.ttl.toMillis()} ms, updateType=${this.updateType}, stateVisibility=${this.stateVisibility}, cleanup=[${cleanup.join(', ')}]}`;
  }
}

/** Builds a {@link StateTtlConfig}; get one from `StateTtlConfig.newBuilder(ttl)`. */
export class StateTtlConfigBuilder {
  private updateType: StateTtlConfig.UpdateType = UpdateType.OnCreateAndWrite;
  private stateVisibility: StateTtlConfig.StateVisibility = StateVisibility.NeverReturnExpired;
  private ttl: Duration;
  private fullSnapshot = false;
  private incremental: { cleanupSize: number; runCleanupForEveryRecord: boolean } | undefined = undefined;
  private cleanupInBackground = true;

  constructor(ttl: Duration) {
    this.ttl = checkTtl(ttl);
  }

  setUpdateType(updateType: StateTtlConfig.UpdateType): this {
    this.updateType = updateType;
    return this;
  }
  updateTtlOnCreateAndWrite(): this {
    return this.setUpdateType(UpdateType.OnCreateAndWrite);
  }
  updateTtlOnReadAndWrite(): this {
    return this.setUpdateType(UpdateType.OnReadAndWrite);
  }
  setStateVisibility(visibility: StateTtlConfig.StateVisibility): this {
    this.stateVisibility = visibility;
    return this;
  }
  returnExpiredIfNotCleanedUp(): this {
    return this.setStateVisibility(StateVisibility.ReturnExpiredIfNotCleanedUp);
  }
  neverReturnExpired(): this {
    return this.setStateVisibility(StateVisibility.NeverReturnExpired);
  }
  /** Only processing time exists (as in Flink); kept for Flink's vocabulary. */
  setTtlTimeCharacteristic(_c: StateTtlConfig.TtlTimeCharacteristic): this {
    return this;
  }
  useProcessingTime(): this {
    return this;
  }
  /** Leaves expired values out of snapshots. */
  cleanupFullSnapshot(): this {
    this.fullSnapshot = true;
    return this;
  }
  /**
   * Checks `cleanupSize` more entries of the state on each access and removes the expired
   * ones; with `runCleanupForEveryRecord`, also on every record the operator processes.
   * @throws RangeError unless cleanupSize is a positive integer.
   */
  cleanupIncrementally(cleanupSize: number, runCleanupForEveryRecord: boolean): this {
    if (!Number.isInteger(cleanupSize) || cleanupSize < 1) throw new RangeError(`cleanupSize must be a positive integer, got ${cleanupSize}`);
    this.incremental = { cleanupSize, runCleanupForEveryRecord };
    return this;
  }
  /** Turns off the default background cleanup (incremental, 5 entries per access). */
  disableCleanupInBackground(): this {
    this.cleanupInBackground = false;
    return this;
  }
  setTtl(ttl: Duration): this {
    this.ttl = checkTtl(ttl);
    return this;
  }
  build(): StateTtlConfig {
    const incremental = this.incremental ?? (this.cleanupInBackground ? { cleanupSize: 5, runCleanupForEveryRecord: false } : undefined);
    return new StateTtlConfig({
      updateType: this.updateType,
      stateVisibility: this.stateVisibility,
      ttl: this.ttl,
      cleanupStrategies: { fullSnapshot: this.fullSnapshot, incremental },
    });
  }
}

function checkTtl(ttl: Duration): Duration {
  if (ttl.toMillis() <= 0) throw new RangeError(`State TTL must be positive, got ${ttl.toMillis()} ms`);
  return ttl;
}

// eslint-disable-next-line @typescript-eslint/no-namespace -- type-only namespace mirrors Flink's nested enums
export declare namespace StateTtlConfig {
  type UpdateType = (typeof UpdateType)[keyof typeof UpdateType];
  type StateVisibility = (typeof StateVisibility)[keyof typeof StateVisibility];
  type TtlTimeCharacteristic = (typeof TtlTimeCharacteristic)[keyof typeof TtlTimeCharacteristic];
  type Builder = StateTtlConfigBuilder;
}
