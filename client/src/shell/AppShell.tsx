import { Navigate, useLocation, type RouteSectionProps } from '@solidjs/router';
import { createEffect, Match, on, Switch } from 'solid-js';
import { useSetup } from '../setup/setup-context.tsx';
import { AlertIcon } from '../ui/icons.tsx';
import { useRealtime } from './realtime-context.tsx';
import { SiteFooter } from './SiteFooter.tsx';
import { SiteHeader } from './SiteHeader.tsx';

const setupPath = '/setup';

function SetupStatusError(props: { message: string; retry: () => void }) {
  return (
    <section class="notice notice--error" aria-labelledby="setup-status-error">
      <AlertIcon size={24} />
      <div>
        <h1 id="setup-status-error" class="notice__title">Plenary can't reach its server</h1>
        <p>{props.message}</p>
        <button type="button" class="button button--primary" onClick={() => props.retry()}>
          Try again
        </button>
      </div>
    </section>
  );
}

/**
 * The frame around every page (skip link, header, main, footer) and the
 * first-run gate: while the server has no admin, every route leads to /setup,
 * and once it has one, /setup leads home.
 */
export function AppShell(props: RouteSectionProps) {
  const setup = useSetup();
  const realtime = useRealtime();
  const location = useLocation();
  let main: HTMLElement | undefined;

  const ready = () => (setup.status.state === 'ready' ? setup.status() : undefined);
  const needsFirstRun = () => ready()?.needsFirstRun === true;
  const setUp = () => ready()?.needsFirstRun === false;

  // Nothing is live before the first admin exists; connect once there is.
  createEffect(() => {
    if (setUp()) realtime.client.connect();
  });

  // After an in-app navigation, start screen readers and keyboards at the new page's content.
  createEffect(on(() => location.pathname, () => main?.focus({ preventScroll: true }), { defer: true }));

  const skipToContent = (event: MouseEvent) => {
    event.preventDefault();
    main?.focus();
    main?.scrollIntoView();
  };

  return (
    <div class="app">
      <a class="skip-link" href="#main" onClick={skipToContent}>
        Skip to content
      </a>
      <SiteHeader showNavigation={setUp()} />
      <main id="main" ref={main} tabindex="-1" class="site-main">
        <Switch>
          <Match when={setup.status.loading}>
            <p class="loading" role="status">
              <span class="loading__spinner" aria-hidden="true" />
              Loading Plenary…
            </p>
          </Match>
          <Match when={setup.status.error as unknown}>
            {(error) => (
              <SetupStatusError
                message={error() instanceof Error ? (error() as Error).message : 'The server did not answer.'}
                retry={setup.retry}
              />
            )}
          </Match>
          <Match when={needsFirstRun() && location.pathname !== setupPath}>
            <Navigate href={setupPath} />
          </Match>
          <Match when={setUp() && location.pathname === setupPath && !setup.completedHere()}>
            <Navigate href="/" />
          </Match>
          <Match when={ready()}>{props.children}</Match>
        </Switch>
      </main>
      <SiteFooter version={ready()?.version} live={setUp()} />
    </div>
  );
}
