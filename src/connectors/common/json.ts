/** `JSON.rawJSON` (ES2024+, in Node 21+), not yet in TypeScript's lib. */
const rawJSON = (JSON as unknown as { rawJSON?: (text: string) => unknown }).rawJSON;

function bigintAsNumber(_key: string, value: unknown): unknown {
  if (typeof value !== 'bigint') return value;
  return rawJSON !== undefined ? rawJSON(value.toString()) : value.toString();
}

/**
 * `JSON.stringify` that also writes bigints (as JSON numbers, digits exact). The common
 * case runs without a replacer; only a value holding a bigint pays for one. A value JSON
 * cannot express at top level (undefined, a function) is written with `String()`.
 * @throws TypeError for circular structures, as `JSON.stringify`.
 */
export function stringifyJson(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (e) {
    if (!(e instanceof TypeError) || !e.message.includes('BigInt')) throw e;
    text = JSON.stringify(value, bigintAsNumber);
  }
  return text ?? String(value);
}
