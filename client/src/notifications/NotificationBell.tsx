/** The header's bell: a link to the inbox that says how many notifications are unread. */
import { A } from '@solidjs/router';
import { Show } from 'solid-js';
import { useSession } from '../pages/account/session.tsx';
import { useInbox } from './inbox-context.tsx';
import './notifications.css';

export function NotificationBell() {
  const session = useSession();
  const { unread } = useInbox();
  const label = () => (unread() === 0 ? 'Notifications' : `Notifications, ${unread()} unread`);
  return (
    <Show when={session.user.state === 'ready' && session.user()}>
      <A href="/notifications" class="icon-button bell" aria-label={label()} title={label()} data-testid="notification-bell">
        <svg class="icon" viewBox="0 0 24 24" width="20" height="20" fill="none" stroke="currentColor" stroke-width="1.8"
          stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">
          <path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
          <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
        </svg>
        <Show when={unread() > 0}>
          <span class="bell__count" aria-hidden="true">{unread() > 99 ? '99+' : unread()}</span>
        </Show>
      </A>
    </Show>
  );
}
