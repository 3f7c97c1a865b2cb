import { createSignal, onCleanup } from 'solid-js';
import { RealtimeClient, realtimeUrl, type RealtimeStatus } from '../api/realtime.ts';
import { createInitializedContext } from '../ui/context.tsx';

/**
 * One realtime connection per tab, shared by every feature. It is created
 * here but only started by the shell once first-run setup is done, because
 * before that there is nothing to be live about.
 */
const realtime = createInitializedContext('RealtimeContext', () => {
  const client = new RealtimeClient({ url: realtimeUrl(location) });
  const [status, setStatus] = createSignal<RealtimeStatus>(client.status);
  const unsubscribe = client.onStatus(setStatus);

  // Coming back online is the best moment to retry; don't sit out the backoff.
  const retry = () => client.reconnectNow();
  addEventListener('online', retry);

  onCleanup(() => {
    removeEventListener('online', retry);
    unsubscribe();
    client.close();
  });
  return { client, status };
});

export const RealtimeProvider = realtime.provider;
export const useRealtime = realtime.use;
