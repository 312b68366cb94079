/** Job-wide settings; as Flink's ExecutionConfig (the subset Rivulet has so far). */
export class ExecutionConfig {
  private autoWatermarkInterval = 200;

  /**
   * How often (ms of processing time) sources ask their WatermarkGenerator for a periodic
   * watermark; 0 disables periodic watermarks. Default 200 ms, as Flink.
   * @throws RangeError for a negative or non-finite interval.
   */
  setAutoWatermarkInterval(ms: number): this {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`autoWatermarkInterval must be >= 0 ms, got ${ms}`);
    this.autoWatermarkInterval = ms;
    return this;
  }

  getAutoWatermarkInterval(): number {
    return this.autoWatermarkInterval;
  }
}
