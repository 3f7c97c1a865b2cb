/**
 * The signed-in person's unread count and newest notifications, kept live over the
 * realtime socket: subscribed on every (re)connection, updated by `notify.new` pushes.
 */
import { createEffect, createSignal, on, onCleanup } from 'solid-js';
import { onPush } from '../chat/protocol.ts';
import { useSession } from '../pages/account/session.tsx';
import { useRealtime } from '../shell/realtime-context.tsx';
import { createInitializedContext } from '../ui/context.tsx';
import type { InboxNotification } from './api.ts';

const inbox = createInitializedContext('InboxContext', () => {
  const { client, status } = useRealtime();
  const session = useSession();
  const [unread, setUnread] = createSignal(0);
  const [latest, setLatest] = createSignal<InboxNotification | null>(null);
  const signedIn = () => session.user.state === 'ready' && Boolean(session.user());

  createEffect(on([status, signedIn], ([now, who]) => {
    if (now !== 'open' || !who) return;
    client.request('notify.subscribe', {}).then((reply) => setUnread(reply.unread), () => undefined);
  }));
  const off = onPush(client, 'notify.new', (push) => {
    setUnread(push.unread);
    setLatest(push.notification);
  });
  onCleanup(off);
  return { unread, setUnread, latest };
});

export const InboxProvider = inbox.provider;
export const useInbox = inbox.use;
