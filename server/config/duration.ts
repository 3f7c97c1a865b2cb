/** "90s", "30m", "6h", "7d" in milliseconds; null for "off" (the schema allows nothing else). */
export function durationMs(text: string): number | null {
  const match = /^([1-9][0-9]*)([smhd])$/.exec(text);
  if (!match) return null;
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as "s" | "m" | "h" | "d"];
  return Number(match[1]) * unit;
}
