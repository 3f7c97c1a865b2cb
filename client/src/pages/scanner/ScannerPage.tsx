import { A, useParams } from '@solidjs/router';
import { createSignal, For, onCleanup, onMount, Show } from 'solid-js';
import { api, ApiError } from '../../api/http.ts';
import { PageHeader } from '../../ui/PageHeader.tsx';
import { beep, type QrReader, startQrReader } from './camera.ts';
import { type Bundle, type Decision, ScannerStore, type ServerResult } from './scanner-store.ts';
import './scanner.css';

const SYNC_EVERY_MS = 3_000;
const REFRESH_EVERY_MS = 60_000;
/** The same code seen again by the camera within this time is the same person still in front of it. */
const SAME_CODE_MS = 4_000;

const TITLES = { admitted: 'Welcome', already_checked_in: 'Already checked in', refused: 'Refused' } as const;

/** The door scanner: camera or typed codes, works offline, syncs when the network is back. */
export function ScannerPage() {
  const params = useParams<{ listId: string }>();
  // Read once: after navigating away the route's params no longer have a listId.
  const listId = params.listId;
  const [store, setStore] = createSignal<ScannerStore | null>(null);
  // Bumped on every change inside the store, which is not reactive itself.
  const [version, setVersion] = createSignal(0);
  const [online, setOnline] = createSignal(navigator.onLine);
  const [problem, setProblem] = createSignal<{ text: string; logIn?: boolean } | null>(null);
  const [syncError, setSyncError] = createSignal<string | null>(null);
  const [result, setResult] = createSignal<Decision | null>(null);
  const [code, setCode] = createSignal('');
  const [query, setQuery] = createSignal('');
  const [camera, setCamera] = createSignal<{ stream: MediaStream; reader: QrReader } | null>(null);
  const [cameraError, setCameraError] = createSignal<string | null>(null);
  let video!: HTMLVideoElement;
  let lastSeen = { text: '', at: 0 };
  let syncing = false;

  const touch = () => setVersion((v) => v + 1);
  const read = <T,>(f: (s: ScannerStore) => T): T | undefined => {
    version();
    const s = store();
    return s ? f(s) : undefined;
  };

  const download = async () => {
    try {
      const bundle = await api.get<Bundle>(`/checkin-lists/${listId}/offline`);
      setStore(await ScannerStore.fromBundle(localStorage, bundle, store()));
      setProblem(null);
      touch();
    } catch (error) {
      if (store()) return; // Keep working from what this device already has.
      if (error instanceof ApiError && error.status === 401) setProblem({ text: 'Log in to use this scanner.', logIn: true });
      else if (error instanceof ApiError && error.status === 0) setProblem({ text: 'This list has not been downloaded on this device yet. Connect to the network once to download it; after that the scanner works offline.' });
      else setProblem({ text: error instanceof Error ? error.message : 'The list could not be loaded.' });
    }
  };

  const sync = async () => {
    const s = store();
    if (!s || syncing || s.queue.length === 0 || !navigator.onLine) return;
    syncing = true;
    try {
      const { results } = await api.post<{ results: ServerResult[] }>(`/checkin-lists/${listId}/scans`, { scans: s.pending() });
      s.applyServerResults(results);
      setSyncError(null);
    } catch (error) {
      // Network trouble: the queue stays and the next round tries again.
      setSyncError(error instanceof ApiError && error.status !== 0 ? error.message : null);
    } finally {
      syncing = false;
      touch();
    }
  };

  const show = (decision: Decision) => {
    setResult(decision);
    beep(decision.outcome === 'admitted' ? 'ok' : decision.outcome === 'already_checked_in' ? 'warn' : 'error');
    touch();
    void sync();
  };

  const checkCode = async (text: string) => {
    const s = store();
    if (!s || !text.trim()) return;
    show(await s.scanCode(text.trim()));
  };

  // Timers and listeners are set up and torn down synchronously in the component's owner:
  // an onCleanup registered after an await has no owner and never runs, so the page kept
  // polling (with the next route's missing listId) for as long as the tab lived.
  const goOnline = () => { setOnline(true); void sync(); };
  const goOffline = () => setOnline(false);
  addEventListener('online', goOnline);
  addEventListener('offline', goOffline);
  const syncTimer = setInterval(() => void sync(), SYNC_EVERY_MS);
  const refreshTimer = setInterval(() => { if (navigator.onLine) void download(); }, REFRESH_EVERY_MS);
  let disposed = false;
  onCleanup(() => {
    disposed = true;
    removeEventListener('online', goOnline);
    removeEventListener('offline', goOffline);
    clearInterval(syncTimer);
    clearInterval(refreshTimer);
  });
  onMount(async () => {
    const saved = await ScannerStore.restore(localStorage, listId).catch(() => null);
    if (disposed) return;
    if (saved) setStore(saved);
    if (navigator.onLine || !saved) await download();
  });
  onCleanup(() => stopCamera());

  const startCamera = async () => {
    setCameraError(null);
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
      video.srcObject = stream;
      await video.play();
      const reader = await startQrReader(video, (text) => {
        const now = Date.now();
        if (text === lastSeen.text && now - lastSeen.at < SAME_CODE_MS) return;
        lastSeen = { text, at: now };
        void checkCode(text);
      });
      setCamera({ stream, reader });
    } catch (error) {
      setCameraError(error instanceof DOMException && error.name === 'NotAllowedError'
        ? 'Camera access was refused. Allow it in the browser, or type codes below.'
        : 'No camera could be opened. Type codes below instead.');
    }
  };
  function stopCamera() {
    const c = camera();
    if (!c) return;
    c.reader.stop();
    for (const track of c.stream.getTracks()) track.stop();
    setCamera(null);
  }

  return (
    <section class="scanner">
      <PageHeader
        title={read((s) => s.bundle.list.name) ?? 'Scanner'}
        lead={read((s) => s.bundle.event.title)}
        actions={<Show when={read((s) => s.bundle.event.id)}>{(id) => <A class="button" href={`/organize/events/${id()}/checkin`}>Back to check-in lists</A>}</Show>}
      />
      <Show when={problem()}>
        {(p) => (
          <div class="notice notice--error" role="alert">
            <p>{p().text}</p>
            <Show when={p().logIn}><a class="button button--primary" href={`/log-in?next=${encodeURIComponent(location.pathname)}`}>Log in</a></Show>
          </div>
        )}
      </Show>
      <Show when={store()}>
        <div class="scanner__status" role="group" aria-label="Scanner status">
          <span class={`chip ${online() ? 'chip--ok' : 'chip--warn'}`}>{online() ? 'Online' : 'Offline'}</span>
          <span data-testid="scanner-counts">{read((s) => `${s.checkedInCount} of ${s.expectedCount} checked in`)}</span>
          <span data-testid="scanner-queue">{read((s) => s.queue.length === 0 ? 'All scans synced' : `${s.queue.length} ${s.queue.length === 1 ? 'scan' : 'scans'} waiting to sync`)}</span>
          <Show when={syncError()}><span class="scanner__sync-error" role="alert">{syncError()}</span></Show>
          <button type="button" class="button" onClick={() => void sync()} disabled={!online()}>Sync now</button>
        </div>

        <div class={`scanner__result scanner__result--${result()?.outcome ?? 'idle'}`} role="status" aria-live="assertive" data-outcome={result()?.outcome ?? 'idle'}>
          <Show when={result()} fallback={<p class="scanner__result-title">Ready to scan</p>}>
            {(r) => (
              <>
                <p class="scanner__result-title">{TITLES[r().outcome]}</p>
                <Show when={r().holderName}><p class="scanner__result-name">{r().holderName}</p></Show>
                <Show when={r().ticketType}><p>{r().ticketType}</p></Show>
                <p>{r().outcome === 'already_checked_in' && r().checkedInAt ? `${r().message} at ${new Date(r().checkedInAt!).toLocaleTimeString()}` : r().message}</p>
              </>
            )}
          </Show>
        </div>

        <div class="scanner__camera">
          <video ref={video} class="scanner__video" classList={{ 'scanner__video--on': !!camera() }} muted playsinline aria-label="Camera view" />
          <Show when={camera()} fallback={<button type="button" class="button button--primary button--block" onClick={() => void startCamera()}>Start camera</button>}>
            <button type="button" class="button button--block" onClick={stopCamera}>Stop camera</button>
          </Show>
          <Show when={cameraError()}><p class="field__hint" role="alert">{cameraError()}</p></Show>
        </div>

        <form class="scanner__manual" onSubmit={(e) => { e.preventDefault(); void checkCode(code()).then(() => setCode('')); }}>
          <label class="field__label" for="ticket-code">Ticket code</label>
          <div class="scanner__row">
            <input id="ticket-code" class="field__input" value={code()} onInput={(e) => setCode(e.currentTarget.value)} autocomplete="off" spellcheck={false} placeholder="The 8-character door code under the QR image" />
            <button type="submit" class="button button--primary">Check</button>
          </div>
        </form>

        <div class="scanner__search">
          <label class="field__label" for="attendee-search">Find by name</label>
          <input id="attendee-search" class="field__input" type="search" value={query()} onInput={(e) => setQuery(e.currentTarget.value)} placeholder="Works offline" />
          <ul class="scanner__people">
            <For each={read((s) => s.search(query())) ?? []}>
              {(person) => (
                <li>
                  <span><strong>{person.holderName}</strong> · {person.ticketType}{person.status !== 'valid' ? ` · ${person.status}` : ''}</span>
                  <Show when={person.checkedInAt} fallback={
                    <button type="button" class="button" aria-label={`Check in ${person.holderName}`} onClick={() => show(store()!.checkInTicket(person.id))}>Check in</button>
                  }>
                    <span class="chip chip--ok">In at {new Date(person.checkedInAt!).toLocaleTimeString()}</span>
                  </Show>
                </li>
              )}
            </For>
          </ul>
        </div>

        <h2 class="scanner__subtitle">Recent scans</h2>
        <ol class="scanner__recent">
          <For each={read((s) => [...s.recent]) ?? []} fallback={<li class="field__hint">No scans yet on this device.</li>}>
            {(d) => (
              <li classList={{ [`scanner__recent--${d.outcome}`]: true }}>
                <span>{new Date(d.at).toLocaleTimeString()}</span> <strong>{TITLES[d.outcome]}</strong> {d.holderName ?? ''}
                <Show when={d.serverNote}><span class="scanner__note"> — {d.serverNote}</span></Show>
              </li>
            )}
          </For>
        </ol>
      </Show>
    </section>
  );
}
