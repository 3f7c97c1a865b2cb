import { A } from '@solidjs/router';
import { onMount } from 'solid-js';
import type { AdminUser } from '../api/setup.ts';
import { ArrowRightIcon, CheckIcon } from '../ui/icons.tsx';

/** Shown once, right after the first admin is created: what happened and what comes next. */
export function SetupComplete(props: { user: AdminUser; publicUrl: string }) {
  let heading: HTMLHeadingElement | undefined;
  // The form that had focus is gone; land on the news instead.
  onMount(() => heading?.focus());
  document.title = "You're set up · Plenary";

  return (
    <section class="card setup-done" aria-labelledby="setup-done-title">
      <div class="setup-done__badge" aria-hidden="true">
        <CheckIcon size={28} />
      </div>
      <h1 id="setup-done-title" class="setup-done__title" tabindex="-1" ref={heading}>
        You're set up
      </h1>
      <p class="setup-done__lead">
        {props.user.displayName}, the administrator account for <strong>{props.user.email}</strong> is ready. Links that
        Plenary sends will start with <strong>{props.publicUrl}</strong>.
      </p>
      <h2 class="setup-done__subtitle">What's next</h2>
      <ol class="setup-done__next">
        <li>
          <strong>You're signed in</strong>
          <span>as {props.user.email}. Keep the password somewhere safe: it opens this server.</span>
        </li>
        <li>
          <strong>Review the server settings</strong>
          <span>
            in <code>plenary.toml</code> (<code>config.example.toml</code> lists every one): e-mail, payments and
            recording storage run on built-in defaults until you change them.
          </span>
        </li>
        <li>
          <strong>Bring in your organizers</strong>
          <span>to create events and sell tickets, as those features arrive.</span>
        </li>
      </ol>
      <A href="/" class="button button--primary">
        Go to Plenary home <ArrowRightIcon size={18} />
      </A>
    </section>
  );
}
