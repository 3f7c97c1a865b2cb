/** Labelled form controls the organizer pages share beside TextField: select, text area, check box. */
import { For, type JSX, Show } from 'solid-js';

export function SelectField<V extends string>(props: {
  id: string; label: string; value: V; options: readonly (readonly [V, string])[]; onValue: (value: V) => void; error?: string; hint?: string;
}) {
  return (
    <div class="field" classList={{ 'field--invalid': Boolean(props.error) }}>
      <label class="field__label" for={props.id}>{props.label}</label>
      <Show when={props.hint}><div class="field__hint" id={`${props.id}-hint`}>{props.hint}</div></Show>
      <select id={props.id} class="field__input" value={props.value} onChange={(e) => props.onValue(e.currentTarget.value as V)}
        aria-invalid={props.error ? true : undefined} aria-describedby={props.error ? `${props.id}-error` : props.hint ? `${props.id}-hint` : undefined}>
        <For each={props.options}>{([value, label]) => <option value={value} selected={value === props.value}>{label}</option>}</For>
      </select>
      <Show when={props.error}><p class="field__error" id={`${props.id}-error`}>{props.error}</p></Show>
    </div>
  );
}

export function TextAreaField(props: { id: string; label: string; value: string; onValue: (value: string) => void; error?: string; hint?: JSX.Element; rows?: number; maxlength?: number }) {
  return (
    <div class="field" classList={{ 'field--invalid': Boolean(props.error) }}>
      <label class="field__label" for={props.id}>{props.label}</label>
      <Show when={props.hint}><div class="field__hint" id={`${props.id}-hint`}>{props.hint}</div></Show>
      <textarea id={props.id} class="field__input organize-textarea" rows={props.rows ?? 4} maxlength={props.maxlength} value={props.value}
        onInput={(e) => props.onValue(e.currentTarget.value)} aria-invalid={props.error ? true : undefined}
        aria-describedby={props.error ? `${props.id}-error` : props.hint ? `${props.id}-hint` : undefined} />
      <Show when={props.error}><p class="field__error" id={`${props.id}-error`}>{props.error}</p></Show>
    </div>
  );
}

export function CheckField(props: { id: string; label: string; checked: boolean; onValue: (checked: boolean) => void }) {
  return (
    <label class="organize-check" for={props.id}>
      <input id={props.id} type="checkbox" checked={props.checked} onChange={(e) => props.onValue(e.currentTarget.checked)} />
      {props.label}
    </label>
  );
}

/** A number input's text as a number, or null when empty. */
export const numberOrNull = (text: string): number | null => (text.trim() === '' ? null : Number(text));

/** A list item that shows a summary and, once its Edit button is pressed, the form inside. */
export function EditableItem(props: { label: string; summary: JSX.Element; canEdit: boolean; editing: boolean; toggle: () => void; children: JSX.Element }) {
  return (
    <li class="organize-list__item organize-list__item--stack" aria-label={props.label}>
      <div class="organize-list__row">
        {props.summary}
        <Show when={props.canEdit}>
          <button type="button" class="button" aria-expanded={props.editing} onClick={() => props.toggle()}>Edit</button>
        </Show>
      </div>
      <Show when={props.editing}>{props.children}</Show>
    </li>
  );
}
