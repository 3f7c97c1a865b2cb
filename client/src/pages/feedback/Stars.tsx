/** Stars: a 1–5 input (a radio group, keyboard-operable with the arrow keys) and a read-only display. */
import { For } from 'solid-js';
import './feedback.css';

export function StarInput(props: { name: string; label: string; value: number; onValue: (stars: number) => void; disabled?: boolean }) {
  return (
    <fieldset class="stars-input" disabled={props.disabled}>
      <legend class="stars-input__legend">{props.label}</legend>
      <div class="stars-input__options">
        <For each={[1, 2, 3, 4, 5]}>
          {(n) => (
            <label class="stars-input__option" classList={{ 'stars-input__option--on': n <= props.value }}>
              <input class="visually-hidden" type="radio" name={props.name} value={n} checked={props.value === n} onChange={() => props.onValue(n)} />
              <span aria-hidden="true">★</span>
              <span class="visually-hidden">{n === 1 ? '1 star' : `${n} stars`}</span>
            </label>
          )}
        </For>
      </div>
    </fieldset>
  );
}

export function StarDisplay(props: { stars: number }) {
  const rounded = () => Math.round(props.stars);
  return (
    <span class="stars-display" role="img" aria-label={`${props.stars} out of 5 stars`}>
      <For each={[1, 2, 3, 4, 5]}>{(n) => <span aria-hidden="true" classList={{ 'stars-display__on': n <= rounded() }}>★</span>}</For>
    </span>
  );
}
