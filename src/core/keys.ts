/**
 * What may be a key of a KeyedStream: values with a stable identity across threads and
 * restarts. Objects are not keys (their identity does not survive serialization); use a
 * string or a tuple of primitives instead.
 */
export type PrimitiveKey = string | number | boolean | bigint;
export type Key = PrimitiveKey | readonly PrimitiveKey[];

/**
 * Produces a readable type error when a key selector returns something that is not a
 * {@link Key}, in the manner of Drizzle's type errors. Not distributive (`[K]`), so a
 * selector returning `string | object` also shows the sentence.
 */
export type KeyTypeError<K> = [K] extends [Key]
  ? K
  : 'Rivulet: keyBy must return a string, number, boolean, bigint or a tuple of these (objects have no stable identity across threads)';
