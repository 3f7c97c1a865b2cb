import { createSignal, Show } from 'solid-js';

/** Share links for the big networks, copy link, and the phone's own share sheet where there is one. */
export function ShareButtons(props: { url: string; title: string }) {
  const [copied, setCopied] = createSignal('');
  const encoded = () => encodeURIComponent(props.url);
  const text = () => encodeURIComponent(props.title);
  const canShare = typeof navigator !== 'undefined' && typeof navigator.share === 'function';
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.url);
      setCopied('Link copied.');
    } catch {
      setCopied(`Copy this link: ${props.url}`);
    }
  };
  const share = () => void navigator.share({ title: props.title, url: props.url }).catch(() => {});
  return (
    <section class="share" aria-labelledby="share-title">
      <h2 id="share-title" class="event-section__title">Share</h2>
      <div class="share__buttons">
        <a class="button share__button" target="_blank" rel="noopener noreferrer" href={`https://www.facebook.com/sharer/sharer.php?u=${encoded()}`}>
          Facebook<span class="visually-hidden"> (opens a new tab)</span>
        </a>
        <a class="button share__button" target="_blank" rel="noopener noreferrer" href={`https://x.com/intent/post?url=${encoded()}&text=${text()}`}>
          X<span class="visually-hidden"> (opens a new tab)</span>
        </a>
        <a class="button share__button" target="_blank" rel="noopener noreferrer" href={`https://www.linkedin.com/sharing/share-offsite/?url=${encoded()}`}>
          LinkedIn<span class="visually-hidden"> (opens a new tab)</span>
        </a>
        <button type="button" class="button share__button" onClick={() => void copy()}>Copy link</button>
        <Show when={canShare}>
          <button type="button" class="button share__button" onClick={share}>Share…</button>
        </Show>
      </div>
      <p class="share__status" role="status">{copied()}</p>
    </section>
  );
}
