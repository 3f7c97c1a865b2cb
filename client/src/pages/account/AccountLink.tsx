import { A } from '@solidjs/router';
import { Show } from 'solid-js';
import { useSession } from './session.tsx';

/** The header's way into the account: "Log in", or the person's name. */
export function AccountLink() {
  const session = useSession();
  const user = () => (session.user.state === 'ready' ? session.user() : undefined);
  return (
    <Show when={session.user.state === 'ready'}>
      <Show
        when={user()}
        fallback={
          <A href="/log-in" class="account-link account-link--guest">
            <svg class="icon" viewBox="0 0 24 24" width="20" height="20" fill="none" stroke="currentColor" stroke-width="1.8"
              stroke-linecap="round" aria-hidden="true">
              <circle cx="12" cy="8" r="4" />
              <path d="M4.5 20a7.5 7.5 0 0 1 15 0" />
            </svg>
            <span class="account-link__name">Log in</span>
          </A>
        }
      >
        {(account) => (
          // The initial is drawn by CSS, not text, so the link's visible text is the name its label contains (WCAG 2.5.3).
          <A href="/account" class="account-link account-link--user" aria-label={`Your account, ${account().displayName}`}>
            <Show when={account().avatarUrl} fallback={<span class="avatar avatar--small" aria-hidden="true" data-initial={account().displayName.slice(0, 1).toUpperCase()} />}>
              <img class="avatar avatar--small" src={account().avatarUrl!} alt="" />
            </Show>
            <span class="account-link__name">{account().displayName}</span>
          </A>
        )}
      </Show>
    </Show>
  );
}
