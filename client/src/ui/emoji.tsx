/**
 * The few emoji the app shows as controls and badges (reactions, the raised hand), drawn as
 * inline SVG: a computer without an emoji font (many Linux desktops, kiosks) would otherwise
 * show empty boxes on the very buttons people press. Each has a plain name for labels.
 */
import type { JSX } from 'solid-js';
import { Show } from 'solid-js';

const FACE = '#f7c325';
const FACE_LINE = '#8a5a00';

const DRAWINGS: Record<string, { name: string; art: () => JSX.Element }> = {
  '👍': {
    name: 'thumbs up',
    art: () => (
      <>
        <rect x="2.5" y="10" width="4.5" height="11" rx="1" fill="#5b7fd6" />
        <path d="M8.5 20.5V10.2l3.6-6.6c.4-.7 1.2-1 1.9-.7 1 .4 1.5 1.4 1.3 2.4L14.6 9h4.8c1.3 0 2.2 1.2 1.9 2.4l-1.7 7.6c-.2.9-1 1.5-1.9 1.5z"
          fill={FACE} stroke={FACE_LINE} stroke-width="1.1" stroke-linejoin="round" />
      </>
    ),
  },
  '❤️': {
    name: 'heart',
    art: () => <path d="M12 21s-7.6-4.7-9.6-9.4C1 8.1 3.2 4.3 6.8 4.3c2.2 0 3.7 1.2 5.2 3.1 1.5-1.9 3-3.1 5.2-3.1 3.6 0 5.8 3.8 4.4 7.3C19.6 16.3 12 21 12 21z" fill="#e0344b" />,
  },
  '😂': {
    name: 'laughing',
    art: () => (
      <>
        <circle cx="12" cy="12" r="9.5" fill={FACE} stroke={FACE_LINE} stroke-width="1" />
        <path d="M6.8 9.6c.8-1.2 2.2-1.2 3 0M14.2 9.6c.8-1.2 2.2-1.2 3 0" fill="none" stroke={FACE_LINE} stroke-width="1.4" stroke-linecap="round" />
        <path d="M7 13h10c0 3-2.2 5-5 5s-5-2-5-5z" fill="#7a2f12" />
        <path d="M3.2 11.5c-1 1.6-1.2 3.2-.2 4 .9.7 2.2-.1 2.3-1.6zM20.8 11.5c1 1.6 1.2 3.2.2 4-.9.7-2.2-.1-2.3-1.6z" fill="#4aa3f0" />
      </>
    ),
  },
  '🎉': {
    name: 'party',
    art: () => (
      <>
        <path d="M3 21l4.5-12.5 8 8z" fill="#f0a020" stroke="#a8650a" stroke-width="1" stroke-linejoin="round" />
        <path d="M13 4.5l.8 2.5M18.5 6l-2 1.8M19.5 11.5l-2.5-.4" stroke="#5b47e0" stroke-width="1.6" stroke-linecap="round" />
        <circle cx="10" cy="5" r="1.2" fill="#e0344b" />
        <circle cx="20" cy="3.8" r="1.1" fill="#2fb37a" />
        <circle cx="20.3" cy="15" r="1.2" fill="#e0344b" />
      </>
    ),
  },
  '👏': {
    name: 'applause',
    art: () => (
      <>
        <path d="M5 13.5l5.5-6.8c.6-.7 1.6-.8 2.2-.2.5.5.6 1.3.2 1.9l3.3-4c.6-.7 1.6-.7 2.2-.1.6.6.6 1.5.1 2.2L15 10.5l1.2-1.3c.6-.7 1.6-.7 2.2-.1s.6 1.6 0 2.2l-4.3 5.2c-2.6 3.1-6.2 3.6-8.5 1.7-1.5-1.2-1.9-3.2-.6-4.7z"
          fill={FACE} stroke={FACE_LINE} stroke-width="1" stroke-linejoin="round" />
        <path d="M3 6.5l1.6 1.3M5.5 3.5l.7 2M2 10l2-.3" stroke="#5b7fd6" stroke-width="1.5" stroke-linecap="round" />
      </>
    ),
  },
  '😮': {
    name: 'surprised',
    art: () => (
      <>
        <circle cx="12" cy="12" r="9.5" fill={FACE} stroke={FACE_LINE} stroke-width="1" />
        <circle cx="8.7" cy="9.5" r="1.3" fill={FACE_LINE} />
        <circle cx="15.3" cy="9.5" r="1.3" fill={FACE_LINE} />
        <ellipse cx="12" cy="15.5" rx="2.3" ry="2.8" fill="#7a2f12" />
      </>
    ),
  },
  '🔥': {
    name: 'fire',
    art: () => (
      <>
        <path d="M12 22c-4.4 0-7.5-3-7.5-7 0-3.4 2.3-5.4 3.6-7.7.3 1.6 1 2.7 2 3.3C10 6.8 11.8 3.8 14.6 2c-.4 2.7.6 4.6 2.3 6.5 1.6 1.8 2.6 3.8 2.6 6.5 0 4-3.1 7-7.5 7z" fill="#f26a1b" />
        <path d="M12 21.5c-2.2 0-3.7-1.5-3.7-3.5 0-2 1.4-3.1 2.5-4.6.2 1 .8 1.7 1.5 2 .2-1.7 1-3 2.1-3.9.1 1.7.8 2.8 1.4 3.8.4.7.6 1.5.6 2.4 0 2.2-1.8 3.8-4.4 3.8z" fill="#ffc93c" />
      </>
    ),
  },
  '✋': {
    name: 'raised hand',
    art: () => (
      <path d="M7.5 12V5.2c0-.8.6-1.4 1.3-1.4s1.3.6 1.3 1.4V11V3.6c0-.8.6-1.4 1.3-1.4s1.3.6 1.3 1.4V11V4.4c0-.8.6-1.4 1.3-1.4s1.3.6 1.3 1.4V11.5V7c0-.8.6-1.4 1.3-1.4s1.3.6 1.3 1.4v7.5c0 4.2-2.9 7.5-7 7.5-2.6 0-4.3-1.2-5.6-3.3L3.3 13c-.4-.7-.2-1.5.4-1.9.6-.4 1.4-.3 1.9.3z"
        fill={FACE} stroke={FACE_LINE} stroke-width="1" stroke-linejoin="round" />
    ),
  },
};

/** The emoji's plain name ("thumbs up"), or the emoji itself when it has no drawing. */
export function emojiName(emoji: string): string {
  return DRAWINGS[emoji]?.name ?? emoji;
}

/** The emoji drawn as an inline image the size of the text around it (decorative: label the control). */
export function Emoji(props: { emoji: string; size?: string }) {
  const drawing = () => DRAWINGS[props.emoji];
  return (
    <Show when={drawing()} fallback={<span aria-hidden="true">{props.emoji}</span>}>
      {(d) => (
        <svg class="emoji" viewBox="0 0 24 24" width={props.size ?? '1.25em'} height={props.size ?? '1.25em'} aria-hidden="true" data-emoji={props.emoji}>
          {d().art()}
        </svg>
      )}
    </Show>
  );
}
