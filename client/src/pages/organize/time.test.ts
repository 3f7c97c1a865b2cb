import { describe, expect, it } from 'vitest';
import { isTimeZone, utcToZoned, zonedToUtc } from './time.ts';

describe('event wall times', () => {
  it('converts a wall time in the event zone to UTC, across summer time and half-hour zones', () => {
    expect(zonedToUtc('2031-06-01T10:00', 'Europe/Lisbon')).toBe('2031-06-01T09:00:00.000Z');
    expect(zonedToUtc('2031-12-01T10:00', 'Europe/Lisbon')).toBe('2031-12-01T10:00:00.000Z');
    expect(zonedToUtc('2031-01-01T00:00', 'Asia/Kolkata')).toBe('2030-12-31T18:30:00.000Z');
    expect(zonedToUtc('2031-07-04T09:00', 'America/New_York')).toBe('2031-07-04T13:00:00.000Z');
    // The morning after clocks went forward (Lisbon, 30 March 2031).
    expect(zonedToUtc('2031-03-30T09:00', 'Europe/Lisbon')).toBe('2031-03-30T08:00:00.000Z');
  });

  it('shows a UTC instant as the wall time a datetime-local input expects', () => {
    expect(utcToZoned('2031-06-01T09:00:00.000Z', 'Europe/Lisbon')).toBe('2031-06-01T10:00');
    expect(utcToZoned('2030-12-31T18:30:00.000Z', 'Asia/Kolkata')).toBe('2031-01-01T00:00');
    expect(utcToZoned(zonedToUtc('2031-10-26T00:30', 'Europe/Lisbon'), 'Europe/Lisbon')).toBe('2031-10-26T00:30');
  });

  it('knows real zones from made-up ones', () => {
    expect(isTimeZone('Europe/Lisbon')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });
});
