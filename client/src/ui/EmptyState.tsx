import { For, type JSX, Show } from 'solid-js';

/**
 * What a section shows before it has anything: what will be here, and, where
 * the feature has not shipped yet, an honest word about that instead of sample data.
 */
export function EmptyState(props: {
  icon: JSX.Element;
  title: string;
  children: JSX.Element;
  /** What this place will hold once it is in use. */
  upcoming?: string[];
  /** When the feature behind this page is not built yet. */
  availability?: string;
}) {
  return (
    <section class="empty-state" aria-labelledby="empty-state-title">
      <div class="empty-state__icon">{props.icon}</div>
      <h2 id="empty-state-title" class="empty-state__title">{props.title}</h2>
      <div class="empty-state__body">{props.children}</div>
      <Show when={props.upcoming}>
        {(items) => (
          <ul class="empty-state__list">
            <For each={items()}>{(item) => <li>{item}</li>}</For>
          </ul>
        )}
      </Show>
      <Show when={props.availability}>
        <p class="empty-state__availability">{props.availability}</p>
      </Show>
    </section>
  );
}
