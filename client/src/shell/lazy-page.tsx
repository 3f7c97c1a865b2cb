/**
 * Pages that load on their first visit, each with its own chunk, so the first page a visitor
 * opens does not wait for the room's mediasoup-client, the player's hls.js or the scanner's jsQR.
 *
 * Solid's lazy() loads and keeps the chunk (and drops a failed attempt, so the next one asks
 * again); the router calls its preload when a link to the page is hovered or focused. The page
 * is rendered only once its chunk is in, outside any Suspense boundary: pages read their
 * createResource data outside one and show their own loading and error states, and a boundary
 * would swap a whole page for a spinner on every refetch.
 */
import { type Component, createSignal, lazy, Match, onCleanup, Show, Switch } from 'solid-js';
import { AlertIcon } from '../ui/icons.tsx';

// A chunk from the cache or a fast network arrives before this, so no spinner flashes by.
const SHOW_LOADING_AFTER_MS = 400;

export type LazyPage<P extends Record<string, any>> = Component<P> & { preload: () => void };

/** A route component whose code `load` fetches on first use; `load` resolves to the page component. */
export function lazyPage<P extends Record<string, any>>(load: () => Promise<Component<P>>): LazyPage<P> {
  const Page = lazy(() => load().then((page) => ({ default: page })));
  // Set once the chunk is in: later visits render the page at once.
  let loaded = false;

  function LoadingPage(props: P) {
    if (loaded) return <Page {...props} />;
    const [state, setState] = createSignal<'loading' | 'loaded' | 'failed'>('loading');
    let mounted = true;
    onCleanup(() => (mounted = false));
    Page.preload().then(
      () => {
        loaded = true;
        if (mounted) setState('loaded');
      },
      (error: unknown) => {
        console.error('A page of the app failed to load', error);
        if (mounted) setState('failed');
      },
    );
    return (
      <Switch fallback={<PageLoading />}>
        <Match when={state() === 'loaded'}>
          <Page {...props} />
        </Match>
        <Match when={state() === 'failed'}>
          <PageLoadFailed />
        </Match>
      </Switch>
    );
  }

  // The router ignores what preload returns; a failed hover preload is reported when the page is opened.
  return Object.assign(LoadingPage, { preload: () => void Page.preload().catch(() => undefined) });
}

/** The status region is there from the start (so screen readers announce it); its words only once loading is slow. */
function PageLoading() {
  const [slow, setSlow] = createSignal(false);
  const timer = setTimeout(() => setSlow(true), SHOW_LOADING_AFTER_MS);
  onCleanup(() => clearTimeout(timer));
  return (
    <div role="status">
      <Show when={slow()}>
        <p class="loading">
          <span class="loading__spinner" aria-hidden="true" />
          Loading page…
        </p>
      </Show>
    </div>
  );
}

/**
 * Most often the files were replaced by a newer version of Plenary since this tab opened (their
 * names change with each build), so a reload, which fetches the current app, is the way out.
 */
function PageLoadFailed() {
  document.title = "Page didn't load · Plenary";
  return (
    <section class="notice notice--error" role="alert" aria-labelledby="page-load-failed">
      <AlertIcon size={24} />
      <div>
        <h1 id="page-load-failed" class="notice__title">
          This page didn't load
        </h1>
        <p>Plenary may have been updated since you opened it, or the connection dropped. Reload to get the current version.</p>
        <button type="button" class="button button--primary" onClick={() => window.location.reload()}>
          Reload page
        </button>
      </div>
    </section>
  );
}
