/**
 * Asks why a person reports a chat message: a reason from a short list and an optional note
 * for the moderators, then sends `chat.report`. A modal <dialog>, so the browser keeps focus
 * inside it, Escape cancels, and the page behind is inert; the chat panel puts focus back on
 * the message's Report button when it closes.
 */
import { createEffect, createSignal, createUniqueId, For, on, Show } from 'solid-js';
import type { RealtimeError } from '../api/realtime.ts';
import { useRealtime } from '../shell/realtime-context.tsx';
import type { ChatMessage, ReportReason } from './protocol.ts';

/** The server's limit on the note (MAX_REPORT_NOTE_LENGTH in server/chat/messages.ts). */
export const REPORT_NOTE_MAX = 500;

/** The reasons offered, in this order; the keys are the server's (`chat.report`'s `reason`). */
export const REPORT_REASONS: Record<ReportReason, { label: string; hint: string }> = {
  spam: { label: 'Spam', hint: 'Ads, scams, or the same thing over and over' },
  harassment: { label: 'Harassment or hate', hint: 'Insults, threats, or attacks on who someone is' },
  off_topic: { label: 'Off-topic', hint: 'Nothing to do with this event or session' },
  other: { label: 'Other', hint: 'Something else: say what in the note' },
};

type Problem = { field: 'reason' | 'note' | null; text: string };

/** The server's refusal, placed by the field it names (a validation error lists them). */
function problemOf(error: RealtimeError): Problem {
  const field = error.fields.find((f) => f.path === 'reason' || f.path === 'note');
  return field ? { field: field.path as Problem['field'], text: field.message } : { field: null, text: error.message };
}

export function ReportDialog(props: {
  /** The message being reported; null: the dialog is closed. */
  message: ChatMessage | null;
  /** In a private conversation (moderators see the message alone, not the conversation). */
  isPrivate: boolean;
  onReported: (message: ChatMessage, reason: ReportReason) => void;
  onClose: () => void;
}) {
  const { client } = useRealtime();
  const ids = createUniqueId();
  let dialog!: HTMLDialogElement;
  let firstChoice: HTMLInputElement | undefined;
  let noteInput: HTMLTextAreaElement | undefined;
  const [reason, setReason] = createSignal<ReportReason | null>(null);
  const [note, setNote] = createSignal('');
  const [problem, setProblem] = createSignal<Problem | null>(null);
  const [busy, setBusy] = createSignal(false);

  // Each message starts with a fresh form; the dialog opens and closes with the message.
  createEffect(on(() => props.message, (message) => {
    if (message) {
      setReason(null);
      setNote('');
      setProblem(null);
      if (!dialog.open) dialog.showModal();
    } else if (dialog.open) {
      dialog.close();
    }
  }));

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const message = props.message;
    const chosen = reason();
    if (!message || busy()) return;
    if (!chosen) {
      setProblem({ field: 'reason', text: 'Choose why you are reporting this message.' });
      firstChoice?.focus();
      return;
    }
    const text = note().trim();
    setBusy(true);
    client.request('chat.report', { messageId: message.id, reason: chosen, ...(text ? { note: text } : {}) })
      .then(
        () => {
          props.onReported(message, chosen);
          dialog.close();
        },
        (e: RealtimeError) => {
          const found = problemOf(e);
          setProblem(found);
          if (found.field === 'note') noteInput?.focus();
        },
      )
      .finally(() => setBusy(false));
  };

  const author = () => props.message?.author.name ?? '';
  const excerpt = () => {
    const text = props.message?.text ?? '';
    return text.length > 160 ? `${text.slice(0, 160)}…` : text;
  };

  return (
    <dialog ref={dialog} class="report-dialog" aria-labelledby={`${ids}-title`} aria-describedby={`${ids}-who`} onClose={() => props.onClose()}>
      <form class="report-dialog__form" onSubmit={submit}>
        {/* The dialog is in the page before a message is chosen: its name must read well without an author. */}
        <h2 id={`${ids}-title`} class="report-dialog__title">{author() ? `Report ${author()}'s message` : 'Report a message'}</h2>
        <Show when={!props.message?.deleted} fallback={<p class="report-dialog__quote"><em>This message has just been removed.</em></p>}>
          <blockquote class="report-dialog__quote">{excerpt()}</blockquote>
        </Show>
        <fieldset class="report-dialog__choices" aria-describedby={problem()?.field === 'reason' ? `${ids}-problem` : undefined}>
          <legend class="field__label">Why are you reporting it?</legend>
          <For each={Object.entries(REPORT_REASONS) as [ReportReason, { label: string; hint: string }][]}>
            {([value, choice], index) => (
              <label class="report-dialog__choice">
                <input type="radio" name={`${ids}-reason`} value={value} checked={reason() === value}
                  ref={(el) => { if (index() === 0) firstChoice = el; }}
                  aria-labelledby={`${ids}-${value}`} aria-describedby={`${ids}-${value}-hint`}
                  onChange={() => { setReason(value); if (problem()?.field === 'reason') setProblem(null); }} />
                <span id={`${ids}-${value}`} class="report-dialog__label">{choice.label}</span>
                <span id={`${ids}-${value}-hint`} class="report-dialog__hint">{choice.hint}</span>
              </label>
            )}
          </For>
        </fieldset>
        <div class="field" classList={{ 'field--invalid': problem()?.field === 'note' }}>
          <label class="field__label" for={`${ids}-note`}>Note for the moderators (optional)</label>
          <textarea id={`${ids}-note`} ref={noteInput} class="field__input report-dialog__note" rows={2} maxLength={REPORT_NOTE_MAX}
            value={note()} onInput={(e) => setNote(e.currentTarget.value)} aria-describedby={`${ids}-left`}
            aria-invalid={problem()?.field === 'note' || undefined} />
          <p id={`${ids}-left`} class="field__hint field__hint--below">{REPORT_NOTE_MAX - note().length} of {REPORT_NOTE_MAX} characters left</p>
        </div>
        <p id={`${ids}-who`} class="report-dialog__who">
          {props.isPrivate
            ? `The event's moderators will see this message, your reason and note, and your name; not the rest of your conversation. ${author() || 'Its author'} is not told.`
            : `The event's moderators will see the message, your reason and note, and your name. ${author() || 'Its author'} is not told.`}
        </p>
        <Show when={problem()}>{(p) => <p id={`${ids}-problem`} class="field__error" role="alert">{p().text}</p>}</Show>
        <div class="report-dialog__buttons">
          <button type="button" class="button" onClick={() => dialog.close()}>Cancel</button>
          <button type="submit" class="button button--primary" aria-disabled={busy() || undefined}>Report</button>
        </div>
      </form>
    </dialog>
  );
}
