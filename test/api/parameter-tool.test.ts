import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParameterTool, RivuletError } from '../../src/index.ts';

function parse(...args: string[]): ParameterTool {
  return ParameterTool.fromArgs(args);
}

void describe('ParameterTool.fromArgs', () => {
  void it('reads --key value and -k value', () => {
    const p = parse('--input', 'flights.csv', '-o', 'out');
    assert.equal(p.get('input'), 'flights.csv');
    assert.equal(p.get('o'), 'out');
    assert.deepEqual([...p.toMap()], [
      ['input', 'flights.csv'],
      ['o', 'out'],
    ]);
  });

  void it('reads --key=value, keeping further = in the value and allowing an empty value', () => {
    const p = parse('--input=a.csv', '--filter=origin=JFK', '--suffix=');
    assert.equal(p.get('input'), 'a.csv');
    assert.equal(p.get('filter'), 'origin=JFK');
    assert.equal(p.get('suffix'), '');
    assert.ok(p.has('suffix'));
  });

  void it('reads bare flags, at the end or before another option', () => {
    const p = parse('--verbose', '--out', 'dir', '-q');
    assert.ok(p.has('verbose'));
    assert.equal(p.get('verbose'), '');
    assert.equal(p.get('out'), 'dir');
    assert.ok(p.has('q'));
    assert.ok(!p.has('missing'));
  });

  void it('takes negative numbers as values, not options', () => {
    const p = parse('--offset', '-5', '--lat', '-0.25', '--lon', '-.5', '--scale', '-1e3', '--shift=-3');
    assert.equal(p.get('offset'), '-5');
    assert.equal(p.getNumber('offset'), -5);
    assert.equal(p.getNumber('lat'), -0.25);
    assert.equal(p.getNumber('lon'), -0.5);
    assert.equal(p.getNumber('scale'), -1000);
    assert.equal(p.getNumber('shift'), -3);
    assert.deepEqual([...p.toMap().keys()], ['offset', 'lat', 'lon', 'scale', 'shift']);
  });

  void it('lets a later occurrence of an option win', () => {
    assert.equal(parse('--p', '1', '--p', '2').get('p'), '2');
  });

  void it('rejects an argument that is not an option, naming it', () => {
    for (const bad of [['input.csv'], ['--a', 'b', 'c'], ['-5']]) {
      assert.throws(() => ParameterTool.fromArgs(bad), (e: unknown) => {
        assert.ok(e instanceof RivuletError);
        assert.equal(e.code, 'INVALID_ARGUMENT');
        assert.match(e.message, new RegExp(`Job argument "${bad.at(-1)}" is not an option; expected --name value\\.`));
        return true;
      });
    }
  });

  void it('parses no arguments to nothing', () => {
    assert.equal(parse().toMap().size, 0);
  });
});

void describe('ParameterTool getters', () => {
  void it('get() falls back to the default only when the option is absent', () => {
    const p = parse('--flag', '--name', 'x');
    assert.equal(p.get('name', 'dflt'), 'x');
    assert.equal(p.get('flag', 'dflt'), '');
    assert.equal(p.get('absent', 'dflt'), 'dflt');
    assert.equal(p.get('absent'), undefined);
  });

  void it('getRequired() returns the value or names the missing option', () => {
    const p = parse('--input', 'a.csv', '--output');
    assert.equal(p.getRequired('input'), 'a.csv');
    assert.throws(() => p.getRequired('parallelism'), { name: 'RivuletError', code: 'INVALID_ARGUMENT', message: 'Missing required job argument --parallelism.' });
    // A flag without a value does not satisfy a required option.
    assert.throws(() => p.getRequired('output'), { name: 'RivuletError', code: 'INVALID_ARGUMENT', message: 'Missing required job argument --output.' });
  });

  void it('getNumber() parses numbers, returns the default when absent and rejects the rest', () => {
    const p = parse('--n', '42', '--ratio', '0.5', '--name', 'abc', '--port');
    assert.equal(p.getNumber('n'), 42);
    assert.equal(p.getNumber('ratio', 1), 0.5);
    assert.equal(p.getNumber('absent'), undefined);
    assert.equal(p.getNumber('absent', 7), 7);
    assert.throws(() => p.getNumber('name'), { name: 'RivuletError', code: 'INVALID_ARGUMENT', message: 'Job argument --name must be a number, got "abc".' });
    // A bare flag is not the number 0.
    assert.throws(() => p.getNumber('port', 8081), { code: 'INVALID_ARGUMENT', message: /--port must be a number, got ""/ });
  });
});
