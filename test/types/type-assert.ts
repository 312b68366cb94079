/**
 * Compile-time assertions for the type tests: `expectType<T>()(value)` fails to compile
 * unless the type of `value` is exactly `T` (not merely assignable), and the error names
 * both types. Nothing here does anything at run time.
 */

/** True when A and B are the same type (identical, not mutually assignable: `any` ≠ `unknown`). */
export type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;

/** A compile error for `Expect<Equal<A, B>>` when the types differ. */
export type Expect<T extends true> = T;

type IsAny<T> = 0 extends 1 & T ? true : false;

interface TypeMismatch<Expected, Actual> {
  readonly expected: Expected;
  readonly actual: Actual;
}

/**
 * The parameter type that accepts exactly `Expected`: the value's own type when equal,
 * else that type intersected with a mismatch record (so the error shows both types). An
 * unexpected `any` is assignable to everything but `never`, hence the first branch.
 */
type Accept<Expected, Actual> =
  IsAny<Actual> extends true
    ? IsAny<Expected> extends true
      ? Actual
      : never
    : Actual & (Equal<Actual, Expected> extends true ? unknown : TypeMismatch<Expected, Actual>);

/** `expectType<DataStream<number>>()(stream)` compiles only when `stream` is exactly DataStream<number>. */
export function expectType<Expected>(): <Actual>(value: Accept<Expected, Actual>) => void {
  return () => {};
}
