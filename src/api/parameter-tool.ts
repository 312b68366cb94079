/**
 * Job arguments, as Flink's `ParameterTool.fromArgs`: `--input a.csv --output out -v`
 * becomes {input: 'a.csv', output: 'out', v: ''}.
 */
import { RivuletError } from '../core/errors.ts';

/** A value, not an option, although it starts with a dash: `-5`, `-0.5`, `-.5`, `-1e3`. */
const NEGATIVE_NUMBER = /^-\.?\d/;

export class ParameterTool {
  private readonly values: ReadonlyMap<string, string>;

  private constructor(values: ReadonlyMap<string, string>) {
    this.values = values;
  }

  /**
   * Parses `--key value`, `--key=value`, `-k value` and bare flags (`--verbose`).
   * @throws RivuletError(INVALID_ARGUMENT) for an argument that is not an option.
   */
  static fromArgs(args: readonly string[]): ParameterTool {
    const values = new Map<string, string>();
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!;
      const m = /^--?([^=]+)(?:=(.*))?$/.exec(arg);
      if (m === null || NEGATIVE_NUMBER.test(arg)) {
        throw new RivuletError('INVALID_ARGUMENT', `Job argument "${arg}" is not an option; expected --name value.`);
      }
      const key = m[1]!;
      if (m[2] !== undefined) {
        values.set(key, m[2]);
      } else {
        const next = args[i + 1];
        if (next !== undefined && (!next.startsWith('-') || NEGATIVE_NUMBER.test(next))) {
          values.set(key, next);
          i++;
        } else {
          values.set(key, '');
        }
      }
    }
    return new ParameterTool(values);
  }

  has(key: string): boolean {
    return this.values.has(key);
  }

  /** The value of `--key`, or `defaultValue`. */
  get(key: string): string | undefined;
  get(key: string, defaultValue: string): string;
  get(key: string, defaultValue?: string): string | undefined {
    return this.values.get(key) ?? defaultValue;
  }

  /** @throws RivuletError(INVALID_ARGUMENT) naming the missing option. */
  getRequired(key: string): string {
    const v = this.values.get(key);
    if (v === undefined || v === '') throw new RivuletError('INVALID_ARGUMENT', `Missing required job argument --${key}.`);
    return v;
  }

  /** @throws RivuletError(INVALID_ARGUMENT) when the value is not a number. */
  getNumber(key: string): number | undefined;
  getNumber(key: string, defaultValue: number): number;
  getNumber(key: string, defaultValue?: number): number | undefined {
    const v = this.values.get(key);
    if (v === undefined) return defaultValue;
    // Number('') is 0: a bare flag (`--port`) must not read as the number 0.
    const n = v.trim() === '' ? Number.NaN : Number(v);
    if (!Number.isFinite(n)) throw new RivuletError('INVALID_ARGUMENT', `Job argument --${key} must be a number, got "${v}".`);
    return n;
  }

  toMap(): ReadonlyMap<string, string> {
    return this.values;
  }
}
