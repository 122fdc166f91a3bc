import { describe, expect, it } from '@jest/globals';

import { metaTime, microTime } from '../src/index.js';

describe('metaTime and microTime', () => {
  it('write metav1.Time in whole UTC seconds, whatever the milliseconds and in any order', () => {
    expect(metaTime(Date.UTC(2026, 10, 27, 15, 4, 5, 999))).toBe('2026-11-27T15:04:05Z');
    expect(metaTime(Date.UTC(2026, 10, 27, 15, 4, 6, 0))).toBe('2026-11-27T15:04:06Z');
    expect(metaTime(Date.UTC(2026, 10, 27, 15, 4, 5, 1))).toBe('2026-11-27T15:04:05Z');
    expect(metaTime(-1500)).toBe('1969-12-31T23:59:58Z');
    expect(metaTime()).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  it('write metav1.MicroTime with six fractional digits', () => {
    expect(microTime(Date.UTC(2026, 0, 1, 0, 0, 0, 123))).toBe('2026-01-01T00:00:00.123000Z');
  });
});
