/**
 * Runs `run(key)` at most once per `ms` per key: the first call arms a timer, calls in
 * between fold into it. Poll counts and Q&A votes use it so a room acting at once costs
 * one push per interval instead of one per click.
 */
export function coalescePerKey(ms: number, run: (key: string) => Promise<unknown>): (key: string) => void {
  const armed = new Set<string>();
  return (key) => {
    if (armed.has(key)) return;
    armed.add(key);
    setTimeout(() => {
      armed.delete(key);
      void run(key).catch(() => undefined);
    }, ms).unref();
  };
}
