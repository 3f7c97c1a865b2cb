/** Emoji reactions: buttons to send one, and the room's reactions floating up as the server aggregates them. */
import { createSignal, For, onCleanup, onMount } from 'solid-js';
import { useRealtime } from '../shell/realtime-context.tsx';
import { Emoji, emojiName } from '../ui/emoji.tsx';
import { onPush } from './protocol.ts';

type Floating = { key: number; emoji: string; count: number };

export function ReactionBar(props: { sessionId: string }) {
  const { client } = useRealtime();
  const [emojis, setEmojis] = createSignal<string[]>([]);
  const [floating, setFloating] = createSignal<Floating[]>([]);
  let next = 0;
  const subscribe = () =>
    client.request('reaction.subscribe', { sessionId: props.sessionId }).then((r) => setEmojis(r.emojis), () => undefined);
  const offs = [
    onPush(client, 'reaction.burst', (push) => {
      if (push.sessionId !== props.sessionId) return;
      const added = Object.entries(push.counts).map(([emoji, count]) => ({ key: next++, emoji, count }));
      setFloating([...floating(), ...added].slice(-20));
      // Each burst floats for a moment, then goes.
      setTimeout(() => setFloating(floating().filter((f) => !added.includes(f))), 2_500);
    }),
    client.onStatus((s) => s === 'open' && void subscribe()),
  ];
  onMount(() => void subscribe());
  onCleanup(() => offs.forEach((off) => off()));
  return (
    <div class="reactions">
      <div class="reactions__floating" aria-hidden="true">
        <For each={floating()}>{(f) => <span class="reactions__float"><Emoji emoji={f.emoji} />{f.count > 1 ? ` ×${f.count}` : ''}</span>}</For>
      </div>
      <div class="reactions__buttons" role="group" aria-label="Send a reaction">
        <For each={emojis()}>
          {(emoji) => (
            <button type="button" class="reactions__button" aria-label={`Send ${emojiName(emoji)}`}
              onClick={() => void client.request('reaction.send', { sessionId: props.sessionId, emoji }).catch(() => undefined)}>
              <Emoji emoji={emoji} />
            </button>
          )}
        </For>
      </div>
    </div>
  );
}
