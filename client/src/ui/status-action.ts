import { createSignal } from 'solid-js';

/**
 * Runs a page action and says how it went in one status line: `done` on success (then
 * `refresh`, so the page shows the change), or the error's message.
 */
export function createStatusAction(refresh: () => unknown) {
  const [status, setStatus] = createSignal('');
  const act = async (what: () => Promise<unknown>, done: string) => {
    try {
      await what();
      setStatus(done);
      void refresh();
    } catch (e) {
      setStatus(e instanceof Error ? e.message : 'That did not work');
    }
  };
  return { status, setStatus, act };
}
