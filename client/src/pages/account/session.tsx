/**
 * Who is logged in, read once per page load from /api/account and updated by the pages
 * that log in and out. The realtime connection reopens on each change, so it carries the
 * new session cookie (or none).
 */
import { createResource } from 'solid-js';
import { ApiError } from '../../api/http.ts';
import { useRealtime } from '../../shell/realtime-context.tsx';
import { createInitializedContext } from '../../ui/context.tsx';
import { type Account, accountApi } from './api.ts';

async function fetchAccount(): Promise<Account | null> {
  try {
    return (await accountApi.me()).user;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

const session = createInitializedContext('SessionContext', () => {
  const realtime = useRealtime();
  const [user, { mutate, refetch }] = createResource(fetchAccount);
  return {
    /** The account, null when logged out, undefined while loading. */
    user,
    refresh: () => void refetch(),
    /** After a log-in or a profile change. */
    set(account: Account | null) {
      const changedWho = (user.state === 'ready' ? user()?.id : undefined) !== account?.id;
      mutate(account);
      if (changedWho) realtime.client.reconnectNow();
    },
    async logOut() {
      await accountApi.logOut().catch(() => undefined);
      mutate(null);
      realtime.client.reconnectNow();
    },
  };
});

export const SessionProvider = session.provider;
export const useSession = session.use;
