import { formatDuration, parseDurationMs } from '../../../domain/duration';

describe('parseDurationMs', () => {
  it.each([
    ['250ms', 250],
    ['90s', 90_000],
    ['10m', 600_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['1.5m', 90_000],
    [' 30 s ', 30_000],
  ])('reads %j as %i ms', (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });

  it('takes a bare number as milliseconds', () => {
    expect(parseDurationMs(1500)).toBe(1500);
    expect(parseDurationMs(0)).toBe(0);
  });

  it.each(['10', 'ten minutes', '10 minutes', '-5m', '5w', '', 'm'])('refuses %j', (text) => {
    expect(parseDurationMs(text)).toBeUndefined();
  });

  it('refuses negative and non-finite numbers', () => {
    expect(parseDurationMs(-1)).toBeUndefined();
    expect(parseDurationMs(Number.NaN)).toBeUndefined();
    expect(parseDurationMs(Number.POSITIVE_INFINITY)).toBeUndefined();
  });
});

describe('formatDuration', () => {
  it.each([
    [999, '999ms'],
    [1_500, '1.5s'],
    [90_000, '1.5m'],
    [600_000, '10m'],
    [5_400_000, '1.5h'],
  ])('writes %i ms as %j', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
