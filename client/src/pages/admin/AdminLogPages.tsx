/** The audit log and the mail outbox, newest first. */
import { createResource, For, Show } from 'solid-js';
import { AdminFrame } from './AdminFrame.tsx';
import { adminApi } from './api.ts';

const when = (iso: string) => new Date(iso).toLocaleString();

export function AdminAuditPage() {
  const [log] = createResource(async () => (await adminApi.audit()).entries);
  return (
    <AdminFrame title="Audit log" lead="Every change an admin made, with the record before and after.">
      <Show when={log()?.length === 0}><p>Nothing yet.</p></Show>
      <ul class="admin-list">
        <For each={log()}>
          {(entry) => (
            <li class="admin-list__item">
              <div class="admin-list__who">
                <strong>{entry.action}</strong> <span class="admin-list__email">{when(entry.at)}</span>
                <p class="admin-list__email">
                  By {entry.actor.kind} {entry.actor.id ?? ''} on {entry.target.type} {entry.target.id ?? ''}
                </p>
              </div>
              <div class="audit-diff">
                <figure>
                  <figcaption>Before</figcaption>
                  <pre>{JSON.stringify(entry.before, null, 1)}</pre>
                </figure>
                <figure>
                  <figcaption>After</figcaption>
                  <pre>{JSON.stringify(entry.after, null, 1)}</pre>
                </figure>
              </div>
            </li>
          )}
        </For>
      </ul>
    </AdminFrame>
  );
}

export function AdminOutboxPage() {
  const [messages] = createResource(async () => (await adminApi.outbox()).messages);
  return (
    <AdminFrame title="Outbox" lead="Every e-mail Plenary wrote. With no SMTP server configured, they wait here. Secrets in links (password resets, address confirmations, invitations, order keys) show as [redacted], and each time you open this page it is written to the audit log.">
      <Show when={messages()?.length === 0}><p>No e-mail yet.</p></Show>
      <ul class="admin-list">
        <For each={messages()}>
          {(message) => (
            <li class="admin-list__item">
              <details class="outbox-message">
                <summary>
                  <strong>{message.subject}</strong> <span class="admin-list__email">to {message.to} · {when(message.createdAt)}</span>{' '}
                  <span class="badge" classList={{ 'badge--danger': message.status === 'failed' }}>{message.status}</span>
                </summary>
                <pre class="outbox-message__text">{message.text}</pre>
                <Show when={message.error}><p class="field__error">{message.error}</p></Show>
              </details>
            </li>
          )}
        </For>
      </ul>
    </AdminFrame>
  );
}
