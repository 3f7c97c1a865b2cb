import { createEffect, type JSX, Show } from 'solid-js';

/** A page's title (heading and browser tab) and its one-line purpose. */
export function PageHeader(props: { title: string; lead?: string; actions?: JSX.Element }) {
  createEffect(() => {
    document.title = `${props.title} · Plenary`;
  });
  return (
    <header class="page-header">
      <div>
        <h1 class="page-header__title">{props.title}</h1>
        <Show when={props.lead}>
          <p class="page-header__lead">{props.lead}</p>
        </Show>
      </div>
      <Show when={props.actions}>
        <div class="page-header__actions">{props.actions}</div>
      </Show>
    </header>
  );
}
