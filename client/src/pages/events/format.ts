/** Dates in the viewer's time zone (with the event's noted) and prices, for event pages. */

export const viewerZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

const dayFormat = (zone?: string) =>
  new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: zone });
const timeFormat = (zone?: string) => new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', timeZone: zone });

export function formatDay(iso: string, zone?: string): string {
  return dayFormat(zone).format(new Date(iso));
}

export function formatTime(iso: string, zone?: string): string {
  return timeFormat(zone).format(new Date(iso));
}

/** "Sat, 5 Dec 2026, 10:00 – 12:30" or, across days, both dates in full. */
export function formatRange(startIso: string, endIso: string, zone?: string): string {
  const sameDay = formatDay(startIso, zone) === formatDay(endIso, zone);
  return sameDay
    ? `${formatDay(startIso, zone)}, ${formatTime(startIso, zone)} – ${formatTime(endIso, zone)}`
    : `${formatDay(startIso, zone)}, ${formatTime(startIso, zone)} – ${formatDay(endIso, zone)}, ${formatTime(endIso, zone)}`;
}

/** Tells the viewer which zone they see, and when the event starts where it happens. */
export function zoneNote(startIso: string, eventZone: string): string {
  const mine = viewerZone();
  if (mine === eventZone) return `Times in ${eventZone}, the event's time zone.`;
  return `Times in your time zone (${mine}). The event is in ${eventZone}, where it starts ${formatDay(startIso, eventZone)}, ${formatTime(startIso, eventZone)}.`;
}

/** Minor units as a local price; 0 is "Free". */
export function formatPrice(amount: number, currency: string): string {
  if (amount === 0) return 'Free';
  const format = new Intl.NumberFormat(undefined, { style: 'currency', currency: currency.toUpperCase() });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(amount / 10 ** digits);
}

export const VENUE_LABEL: Record<string, string> = { online: 'Online', hybrid: 'Online and in person', in_person: 'In person' };

/** A card's prices: "Free", "€25", "Free – €25", "€10 – €25" (whole amounts without cents, to stay short). */
export function formatPriceRange(range: { min: number; max: number; currency: string }): string {
  const short = (amount: number) => formatPrice(amount, range.currency).replace(/[.,]00(?!\d)/, '');
  return range.min === range.max ? short(range.min) : `${short(range.min)} – ${short(range.max)}`;
}
