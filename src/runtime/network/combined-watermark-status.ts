/**
 * CombinedWatermarkStatus: the watermark and status of an operator with several inputs,
 * from the watermark and status of each input (each already combined over its channels by
 * its own StatusWatermarkValve); as Flink's `CombinedWatermarkStatus`, which
 * AbstractStreamOperator uses for `processWatermark1/2`.
 *
 * - The combined watermark is the minimum over the inputs that are not idle, and never
 *   goes back. Before an input's first watermark it holds the minimum at -Infinity.
 * - The operator is idle when every input is idle.
 * - An input that has ended counts as active at +Infinity: it holds nothing back (a bounded
 *   source sends MAX_WATERMARK before its end anyway).
 *
 * Control events only: nothing here runs per record.
 */
export class CombinedWatermarkStatus {
  private readonly watermarks: number[];
  private readonly idle: boolean[];
  private combined = Number.NEGATIVE_INFINITY;
  private allIdle = false;

  constructor(numInputs: number) {
    this.watermarks = new Array<number>(numInputs).fill(Number.NEGATIVE_INFINITY);
    this.idle = new Array<boolean>(numInputs).fill(false);
  }

  /** The combined watermark so far (-Infinity before the first). */
  getCombinedWatermark(): number {
    return this.combined;
  }

  /** True when every input is idle. */
  isIdle(): boolean {
    return this.allIdle;
  }

  /** Input `index` (0-based) advanced to `watermark`; true when the combined watermark advanced. */
  updateWatermark(index: number, watermark: number): boolean {
    if (watermark > this.watermarks[index]!) this.watermarks[index] = watermark;
    return this.recompute();
  }

  /** Input `index` turned idle or active; true when the combined watermark advanced. */
  updateStatus(index: number, idle: boolean): boolean {
    this.idle[index] = idle;
    return this.recompute();
  }

  /** Input `index` ended: it holds nothing back any more. True when the combined watermark advanced. */
  inputEnded(index: number): boolean {
    this.idle[index] = false;
    this.watermarks[index] = Number.POSITIVE_INFINITY;
    return this.recompute();
  }

  private recompute(): boolean {
    let min = Number.POSITIVE_INFINITY;
    let allIdle = true;
    for (let i = 0; i < this.watermarks.length; i++) {
      if (this.idle[i]) continue;
      allIdle = false;
      if (this.watermarks[i]! < min) min = this.watermarks[i]!;
    }
    this.allIdle = allIdle;
    if (!allIdle && min > this.combined) {
      this.combined = min;
      return true;
    }
    return false;
  }
}
