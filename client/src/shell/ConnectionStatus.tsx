import type { RealtimeStatus } from '../api/realtime.ts';
import { useRealtime } from './realtime-context.tsx';

const labels: Record<RealtimeStatus, string> = {
  connecting: 'Connecting…',
  open: 'Connected',
  reconnecting: 'Reconnecting…',
  closed: 'Offline',
};

/**
 * A small dot and word for the live connection. Quiet on purpose: it matters
 * when chat or a session stops updating, not the rest of the time.
 */
export function ConnectionStatus() {
  const { status, client } = useRealtime();
  const explanation = () => {
    const code = client.lastClose?.code;
    if (status() === 'reconnecting' && code === 4430) return 'Too many tabs or devices are connected; close some and this one reconnects by itself.';
    if (status() !== 'closed') return undefined;
    if (code === 4401) return 'Sign in again to get live updates.';
    if (code === 4403) return 'This account may no longer connect.';
    return 'Live updates are off. Reload the page to reconnect.';
  };
  return (
    <p class="connection-status" data-realtime-status={status()} role="status" title={explanation()}>
      <span class="connection-status__dot" aria-hidden="true" />
      <span>
        <span class="visually-hidden">Live updates: </span>
        {labels[status()]}
      </span>
    </p>
  );
}
