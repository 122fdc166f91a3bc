import { describe, expect, it } from '@jest/globals';

import { ApiError, Quantity } from '../src/index.js';

describe('Quantity.parse and toString', () => {
  // Inputs and the canonical forms upstream's Quantity.String() produces for them.
  it.each([
    ['0', '0'],
    ['-0', '0'],
    ['0Ki', '0'],
    ['1', '1'],
    ['+1', '1'],
    ['100m', '100m'],
    ['0.1', '100m'],
    ['0.5', '500m'],
    ['1.5', '1500m'],
    ['1000m', '1'],
    ['1500m', '1500m'],
    ['2000m', '2'],
    ['1k', '1k'],
    ['1000', '1k'],
    ['1001', '1001'],
    ['1.5k', '1500'],
    ['1M', '1M'],
    ['1.5Gi', '1536Mi'],
    ['1Gi', '1Gi'],
    ['1024Mi', '1Gi'],
    ['1024', '1024'],
    ['1024Ki', '1Mi'],
    ['1.5Ki', '1536'],
    ['0.5Ki', '512'],
    ['0.1Ki', '102400m'],
    ['1Ei', '1Ei'],
    ['1024Ei', '9223372036854775807'],
    ['2e3', '2e3'],
    ['1e3', '1e3'],
    ['1E3', '1e3'],
    ['1.5e3', '1500'],
    ['1e-3', '1e-3'],
    ['10e-1', '1'],
    ['12e0', '12'],
    ['1n', '1n'],
    ['0.1n', '1n'],
    ['1.0000000001', '1000000001n'],
    ['100u', '100u'],
    ['1000E', '1000E'],
    ['10000E', '10000E'],
    ['-100m', '-100m'],
    ['-1.5Gi', '-1536Mi'],
    ['.5', '500m'],
    ['1.', '1'],
    ['007', '7'],
  ])('%j → %j', (text, canonical) => {
    expect(Quantity.parse(text).toString()).toBe(canonical);
  });

  // Values from upstream's TestQuantityParse: input → [value as a decimal string, format].
  it.each([
    ['50k', '50000', 'DecimalSI'],
    ['100.035k', '100035', 'DecimalSI'],
    ['0.0005k', '0.5', 'DecimalSI'],
    ['0.5e-2', '0.005', 'DecimalExponent'],
    ['1.3E+6', '1300000', 'DecimalExponent'],
    ['1.7E18', '1700000000000000000', 'DecimalExponent'],
    ['6.987654321G', '6987654321', 'DecimalSI'],
    ['1.01E', '1010000000000000000', 'DecimalSI'],
    ['12E', '12000000000000000000', 'DecimalSI'],
    ['3.001n', '0.000000004', 'DecimalSI'],
    ['1.1E-9', '0.000000002', 'DecimalExponent'],
    ['0.00000012354', '0.000000124', 'DecimalSI'],
    ['9Ei', '9223372036854775807', 'BinarySI'],
    ['9223372036854775807Ki', '9223372036854775807', 'BinarySI'],
    ['100.035Ki', '102435.84', 'BinarySI'],
    ['0.025Ti', '27487790694.4', 'BinarySI'],
    ['0.000000000001Ki', '0.000000002', 'DecimalSI'],
    ['.0001k', '0.1', 'DecimalSI'],
    ['1.G', '1000000000', 'DecimalSI'],
    ['-.', '0', 'DecimalSI'],
  ])('%j has value %s in %s', (text, value, format) => {
    const q = Quantity.parse(text);
    expect(q.cmp(Quantity.parse(value))).toBe(0);
    expect(q.format).toBe(format);
  });

  // From upstream's TestQuantityParseEmit.
  it.each([
    ['.001Ki', '1024m'],
    ['.000001Ki', '1024u'],
    ['.000000001Ki', '1024n'],
    ['.000000000001Ki', '2n'],
    ['1000M', '1G'],
    ['300e6', '300e6'],
    ['80e-3', '80e-3'],
    ['1080m', '1080m'],
    ['1.08', '1080m'],
    ['1080000000n', '1080m'],
    ['1234567m', '1234567m'],
    ['1025', '1025'],
    ['-1Ki', '-1Ki'],
  ])('%j is written %j', (text, canonical) => {
    expect(Quantity.parse(text).toString()).toBe(canonical);
  });

  it('keeps the format of the suffix', () => {
    expect(Quantity.parse('1Gi').format).toBe('BinarySI');
    expect(Quantity.parse('1G').format).toBe('DecimalSI');
    expect(Quantity.parse('1e9').format).toBe('DecimalExponent');
    expect(Quantity.parse('5').format).toBe('DecimalSI');
  });

  it.each([
    '',
    'abc',
    '1KiB',
    '1K',
    '1e',
    '1.2.3',
    '--1',
    '1 Gi',
    ' 1',
    '1 ',
    'Gi',
    '1e1.5',
    '1m1',
    '0x10',
    '-',
    '1.1.M',
    '1+1.0M',
    '0.1mi',
    '0.1am',
    '.5i',
    '1i',
    '-3.01i',
    '-3.01e-',
  ])('rejects %j with BadRequest', (text) => {
    let caught: unknown;
    try {
      Quantity.parse(text);
    } catch (err) {
      caught = err;
    }
    expect(ApiError.is(caught, 'BadRequest')).toBe(true);
    expect(Quantity.tryParse(text)).toBeUndefined();
  });

  it('names the regular expression on malformed input', () => {
    expect(() => Quantity.parse('abc')).toThrow(/quantities must match the regular expression/);
  });

  it('rejects absurd exponents instead of allocating', () => {
    expect(Quantity.tryParse('1e999999999')).toBeUndefined();
  });

  it('serialises to JSON as its canonical string', () => {
    expect(JSON.stringify({ cpu: Quantity.parse('0.5') })).toBe('{"cpu":"500m"}');
  });
});

describe('Quantity arithmetic', () => {
  it('adds and subtracts exactly', () => {
    const a = Quantity.parse('0.1');
    let sum = Quantity.zero();
    for (let i = 0; i < 10; i++) sum = sum.add(a);
    expect(sum.toString()).toBe('1');
    expect(sum.equals(Quantity.parse('1000m'))).toBe(true);
    expect(Quantity.parse('1Gi').sub(Quantity.parse('512Mi')).toString()).toBe('512Mi');
    expect(Quantity.parse('1Gi').add(Quantity.parse('1')).toString()).toBe('1073741825');
    expect(Quantity.parse('250m').sub(Quantity.parse('1')).toString()).toBe('-750m');
    expect(Quantity.parse('100m').mul(3).toString()).toBe('300m');
    expect(Quantity.parse('1').neg().toString()).toBe('-1');
  });

  it('compares across formats', () => {
    expect(Quantity.parse('1Ki').cmp(Quantity.parse('1k'))).toBe(1);
    expect(Quantity.parse('1k').cmp(Quantity.parse('1Ki'))).toBe(-1);
    expect(Quantity.parse('1e3').cmp(Quantity.parse('1k'))).toBe(0);
    expect(Quantity.parse('0m').isZero()).toBe(true);
    expect(Quantity.parse('1n').isZero()).toBe(false);
  });

  it('rounds milliValue and value up, as upstream', () => {
    expect(Quantity.parse('1n').milliValue()).toBe(1);
    expect(Quantity.parse('100m').milliValue()).toBe(100);
    expect(Quantity.parse('1.5').milliValue()).toBe(1500);
    expect(Quantity.parse('100m').value()).toBe(1);
    expect(Quantity.parse('1.5Gi').value()).toBe(1610612736);
    expect(Quantity.parse('-1.5').value()).toBe(-1);
    expect(Quantity.parse('-1500u').milliValue()).toBe(-1);
  });

  it('builds from millis and values', () => {
    expect(Quantity.fromMillis(250).toString()).toBe('250m');
    expect(Quantity.fromMillis(2000).toString()).toBe('2');
    expect(Quantity.fromValue(1024, 'BinarySI').toString()).toBe('1Ki');
    expect(Quantity.fromValue(3).toString()).toBe('3');
  });
});
