/**
 * How long a failed job waits before its next attempt: doubling from `baseMs`, capped at
 * `maxMs`, with "equal jitter" (half fixed, half random) so that jobs which failed together
 * (an SMTP server that was down) do not all retry in the same instant, yet none retries at
 * once.
 */
export function retryDelayMs(
  /** Attempts made so far, counting the one that just failed (1 after the first failure). */
  attempts: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}
