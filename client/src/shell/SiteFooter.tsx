import { Show } from 'solid-js';
import { ConnectionStatus } from './ConnectionStatus.tsx';

export function SiteFooter(props: { version: string | undefined; live: boolean }) {
  return (
    <footer class="site-footer">
      <div class="site-footer__inner">
        <p class="site-footer__about">
          Plenary<Show when={props.version}>{(version) => <> {version()}</>}</Show>
          <span class="site-footer__tagline">
            <span aria-hidden="true"> · </span>Virtual events on your own server
          </span>
        </p>
        <Show when={props.live}>
          <ConnectionStatus />
        </Show>
      </div>
    </footer>
  );
}
