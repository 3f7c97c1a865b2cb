/**
 * Event times are typed as wall-clock times in the event's own zone (a datetime-local input)
 * and sent to the server as UTC instants. Intl knows each zone's offset at an instant, so a
 * wall time converts by guessing the instant and correcting by the offset found there.
 */

/** The zone's offset from UTC at an instant, in minutes (Lisbon in summer: 60). */
function offsetMinutes(instant: Date, timeZone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(instant).map((p) => [p.type, p.value]),
  );
  const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return Math.round((asUtc - instant.getTime()) / 60_000);
}

/** "2031-05-10T11:00" in Europe/Lisbon → "2031-05-10T10:00:00.000Z". */
export function zonedToUtc(local: string, timeZone: string): string {
  const naive = new Date(`${local}:00Z`);
  if (Number.isNaN(naive.getTime())) return local;
  let guess = naive.getTime() - offsetMinutes(naive, timeZone) * 60_000;
  // Once more, for instants across a daylight-saving change from the first guess.
  guess = naive.getTime() - offsetMinutes(new Date(guess), timeZone) * 60_000;
  return new Date(guess).toISOString();
}

/** A UTC instant as the value of a datetime-local input in the zone. */
export function utcToZoned(iso: string, timeZone: string): string {
  const instant = new Date(iso);
  return new Date(instant.getTime() + offsetMinutes(instant, timeZone) * 60_000).toISOString().slice(0, 16);
}

/** A readable time in the event's zone, with the zone named. */
export function formatInZone(iso: string, timeZone: string, style: 'full' | 'time' = 'full'): string {
  return new Intl.DateTimeFormat(undefined, style === 'full'
    ? { dateStyle: 'medium', timeStyle: 'short', timeZone }
    : { timeStyle: 'short', timeZone }).format(new Date(iso)) + (style === 'full' ? ` (${timeZone})` : '');
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** Money in minor units, in the event's currency. */
export function formatMoney(minor: number, currency: string): string {
  return new Intl.NumberFormat(undefined, { style: 'currency', currency: currency.toUpperCase() }).format(minor / 100);
}
