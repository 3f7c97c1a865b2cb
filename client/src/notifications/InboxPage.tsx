/** The inbox: newest first, live, with mark-read and deep links. */
import { A } from '@solidjs/router';
import { createEffect, createResource, For, on, Show } from 'solid-js';
import { EmptyState } from '../ui/EmptyState.tsx';
import { PageHeader } from '../ui/PageHeader.tsx';
import { type InboxNotification, notificationsApi } from './api.ts';
import { useInbox } from './inbox-context.tsx';
import './notifications.css';

export function InboxPage() {
  const inbox = useInbox();
  // Notifications pushed since the list was last asked for: one that arrives while the list is
  // on its way would otherwise be overwritten by a list read before it existed.
  let pushed: InboxNotification[] = [];
  const [list, { mutate, refetch }] = createResource(async () => {
    pushed = [];
    const fetched = (await notificationsApi.list()).notifications;
    return [...pushed.filter((p) => !fetched.some((f) => f.id === p.id)), ...fetched];
  });
  // A notification pushed while the page is open goes on top.
  createEffect(on(inbox.latest, (n) => {
    if (!n) return;
    pushed = [n, ...pushed.filter((x) => x.id !== n.id)];
    mutate((current) => [n, ...(current ?? []).filter((x) => x.id !== n.id)]);
  }, { defer: true }));

  const markRead = async (notification: InboxNotification) => {
    const { unread } = await notificationsApi.markRead([notification.id]);
    inbox.setUnread(unread);
    mutate((current) => current?.map((n) => (n.id === notification.id ? { ...n, readAt: new Date().toISOString() } : n)));
  };
  const markAll = async () => {
    const { unread } = await notificationsApi.markAllRead();
    inbox.setUnread(unread);
    void refetch();
  };

  return (
    <>
      <PageHeader title="Notifications" lead="Reminders, announcements and answers, newest first."
        actions={<button type="button" class="button" onClick={() => void markAll()} disabled={inbox.unread() === 0}>Mark all read</button>} />
      <Show when={list()?.length === 0}>
        <EmptyState icon={<span aria-hidden="true">🔔</span>} title="Nothing yet"><p>Reminders and announcements for your events will appear here.</p></EmptyState>
      </Show>
      <ul class="inbox" aria-label="Notifications">
        <For each={list()}>
          {(n) => (
            <li class="inbox__item" classList={{ 'inbox__item--unread': !n.readAt }} data-testid="inbox-item">
              <div class="inbox__main">
                <strong class="inbox__title">{n.title}</strong>
                <Show when={!n.readAt}><span class="visually-hidden"> (unread)</span></Show>
                <p class="inbox__body">{n.body}</p>
                <p class="form-note">{new Date(n.createdAt).toLocaleString()}</p>
              </div>
              <div class="inbox__actions">
                <Show when={n.link}>{(link) => <A href={link()} class="button" onClick={() => void markRead(n)}>Open</A>}</Show>
                <Show when={!n.readAt}>
                  <button type="button" class="button" onClick={() => void markRead(n)} aria-label={`Mark “${n.title}” read`}>Mark read</button>
                </Show>
              </div>
            </li>
          )}
        </For>
      </ul>
    </>
  );
}
