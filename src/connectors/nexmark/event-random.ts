/**
 * The random numbers behind one Nexmark event, seeded by the event's id: every draw for
 * event `i` comes from a stream that depends on `i` and the config's seed only, so event
 * `i` is the same whichever subtask generates it and in whatever order (the Java generator
 * shares one unseeded `SplittableRandom` per split instead, and is not reproducible).
 *
 * The stream is SplitMix32 (a Weyl sequence through a 32-bit avalanche mix): enough for
 * the uniform choices the model makes, and on the hot path it allocates nothing — one
 * instance is re-seeded per event.
 */
export class EventRandom {
  private state = 0;
  private readonly seedMix: number;

  constructor(seed: number) {
    this.seedMix = mix32((seed | 0) ^ mix32(Math.floor(seed / 2 ** 32) | 0) ^ 0x5bd1e995);
  }

  /** Starts the stream of event `id` (a whole number in [0, 2^53)). */
  reset(id: number): void {
    const lo = id >>> 0;
    const hi = Math.floor(id / 2 ** 32) >>> 0;
    this.state = mix32(lo ^ mix32(hi ^ this.seedMix));
  }

  /** The next 32 random bits, as an unsigned integer. */
  nextUint32(): number {
    this.state = (this.state + 0x9e3779b9) | 0;
    return mix32(this.state) >>> 0;
  }

  /** A uniform integer in [0, n), for 1 <= n <= 2^21 (exact: the product stays below 2^53). */
  nextInt(n: number): number {
    return Math.floor(this.nextUint32() * n * 2.3283064365386963e-10);
  }

  /** A uniform number in [0, 1) with 32 random bits. */
  nextDouble(): number {
    return this.nextUint32() * 2.3283064365386963e-10;
  }
}

/** A 32-bit avalanche (every input bit flips each output bit with probability ~1/2). */
function mix32(x: number): number {
  let z = x | 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return z ^ (z >>> 15);
}
