import { createSignal, type JSX, Show, splitProps } from 'solid-js';
import { EyeIcon, EyeOffIcon } from './icons.tsx';

type TextFieldProps = Omit<JSX.InputHTMLAttributes<HTMLInputElement>, 'onInput' | 'value'> & {
  id: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  /** Guidance shown before anything goes wrong. */
  hint?: JSX.Element;
  /** Where the hint goes: under the label (default), or under the input, for rules checked as you type. */
  hintPlacement?: 'label' | 'input';
  /** The current problem with the value; marks the input invalid and is announced with it. */
  error?: string | undefined;
  /** For passwords: a button that shows the characters while typing. */
  revealable?: boolean;
  ref?: (input: HTMLInputElement) => void;
};

/** A labelled input whose hint and error are tied to it for assistive technology. */
export function TextField(props: TextFieldProps) {
  const [own, input] = splitProps(props, ['id', 'label', 'value', 'onValue', 'hint', 'hintPlacement', 'error', 'revealable', 'ref', 'type']);
  const [revealed, setRevealed] = createSignal(false);
  const hintId = () => `${own.id}-hint`;
  const errorId = () => `${own.id}-error`;
  // A rule shown under the input makes way for the error that restates it.
  const hintShown = () => Boolean(own.hint) && !(own.hintPlacement === 'input' && own.error);
  const describedBy = () => [hintShown() ? hintId() : '', own.error ? errorId() : ''].filter(Boolean).join(' ') || undefined;

  return (
    <div class="field" classList={{ 'field--invalid': Boolean(own.error) }}>
      <label class="field__label" for={own.id}>
        {own.label}
      </label>
      <Show when={own.hint && own.hintPlacement !== 'input'}>
        <div class="field__hint" id={hintId()}>
          {own.hint}
        </div>
      </Show>
      <div class="field__control">
        <input
          {...input}
          ref={own.ref}
          id={own.id}
          class="field__input"
          type={own.revealable && revealed() ? 'text' : own.type}
          value={own.value}
          onInput={(event) => own.onValue(event.currentTarget.value)}
          aria-invalid={own.error ? true : undefined}
          aria-describedby={describedBy()}
        />
        <Show when={own.revealable}>
          <button
            type="button"
            class="field__reveal"
            aria-pressed={revealed()}
            aria-label="Show password"
            aria-controls={own.id}
            onClick={() => setRevealed(!revealed())}
          >
            <Show when={revealed()} fallback={<EyeIcon size={18} />}>
              <EyeOffIcon size={18} />
            </Show>
          </button>
        </Show>
      </div>
      <Show when={hintShown() && own.hintPlacement === 'input'}>
        <div class="field__hint field__hint--below" id={hintId()}>
          {own.hint}
        </div>
      </Show>
      <Show when={own.error}>
        <p class="field__error" id={errorId()}>
          {own.error}
        </p>
      </Show>
    </div>
  );
}
