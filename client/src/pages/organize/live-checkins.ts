/**
 * The event's check-in counts, live: the dashboard watches them over the realtime socket and
 * is pushed new counts after each scan (watched again after a reconnect, when a missed push
 * would otherwise leave a stale number).
 */
import { type Accessor, createEffect, createSignal, on, onCleanup } from 'solid-js';
import type { CheckinCounts, CheckinCountsPush } from '../../../../server/checkin/live.ts';
import { onPush } from '../../chat/protocol.ts';
import { useRealtime } from '../../shell/realtime-context.tsx';

declare module '../../api/realtime.ts' {
  interface RealtimePushes {
    'checkin.counts': CheckinCountsPush;
  }
  interface RealtimeRequests {
    'checkin.watch': { payload: { eventId: string }; reply: CheckinCounts };
    'checkin.unwatch': { payload: { eventId: string }; reply: Record<string, never> };
  }
}

/** Null until the first answer (or while the socket is down before it). */
export function createLiveCheckIns(eventId: Accessor<string>): Accessor<CheckinCounts | null> {
  const { client } = useRealtime();
  const [counts, setCounts] = createSignal<CheckinCounts | null>(null);
  const watch = () => {
    client.request('checkin.watch', { eventId: eventId() }).then(setCounts, () => undefined);
  };
  const offs = [
    onPush(client, 'checkin.counts', (push) => {
      if (push.eventId === eventId()) setCounts({ eventId: push.eventId, checkedIn: push.checkedIn, lists: push.lists });
    }),
    client.onStatus((status) => status === 'open' && watch()),
  ];
  createEffect(on(eventId, (id) => {
    setCounts(null);
    watch();
    onCleanup(() => void client.request('checkin.unwatch', { eventId: id }).catch(() => undefined));
  }));
  onCleanup(() => offs.forEach((off) => off()));
  return counts;
}
