/** The organizer's edits of one recording: title, trim (processed again on the server), who may watch, delete. */
import { createSignal } from 'solid-js';
import { TextField } from '../../ui/TextField.tsx';
import { type Recording, recordingsApi } from './api.ts';

const seconds = (ms: number | null) => (ms === null ? '' : String(ms / 1000));
const toMs = (text: string) => (text.trim() === '' ? null : Math.round(Number(text) * 1000));

export function RecordingEditor(props: { recording: Recording; onSaved: (message: string) => void }) {
  const r = props.recording;
  const [title, setTitle] = createSignal(r.title);
  const [trimStart, setTrimStart] = createSignal(seconds(r.trimStartMs));
  const [trimEnd, setTrimEnd] = createSignal(seconds(r.trimEndMs));
  const [access, setAccess] = createSignal(r.access);
  const [error, setError] = createSignal('');
  const save = async (event: SubmitEvent) => {
    event.preventDefault();
    try {
      await recordingsApi.edit(r.id, { title: title(), trimStartMs: toMs(trimStart()), trimEndMs: toMs(trimEnd()), access: access() });
      setError('');
      props.onSaved('Saved.');
    } catch (e) {
      setError(e instanceof Error ? e.message : 'Could not save');
    }
  };
  const remove = async () => {
    if (!confirm(`Delete "${r.title}" for good?`)) return;
    try {
      await recordingsApi.remove(r.id);
      props.onSaved('Deleted.');
    } catch (e) {
      setError(e instanceof Error ? e.message : 'Could not delete');
    }
  };
  return (
    <details class="recording-editor">
      <summary>Edit</summary>
      <form onSubmit={(e) => void save(e)}>
        <TextField id={`title-${r.id}`} label="Title" value={title()} onValue={setTitle} required />
        <div class="recording-editor__trim">
          <TextField id={`trim-start-${r.id}`} label="Start at (seconds)" inputMode="decimal" value={trimStart()} onValue={setTrimStart} />
          <TextField id={`trim-end-${r.id}`} label="End at (seconds)" inputMode="decimal" value={trimEnd()} onValue={setTrimEnd} />
        </div>
        <p class="form-note">
          Times count from the start of the untrimmed recording; empty keeps that end. A new trim cuts the video, the
          download and the chat replay again, which takes a moment; the recording is back when it says Ready.
        </p>
        <div class="field">
          <label class="field__label" for={`access-${r.id}`}>Who may watch</label>
          <select id={`access-${r.id}`} class="field__input" value={access()} onChange={(e) => setAccess(e.currentTarget.value as Recording['access'])}>
            <option value="ticket_holders">Holders of a ticket for this session</option>
            <option value="everyone">Everyone</option>
          </select>
        </div>
        <p class="form-alert" role="alert">{error()}</p>
        <div class="recordings-list__actions">
          <button type="submit" class="button button--primary">Save</button>
          <button type="button" class="button" onClick={() => void remove()}>Delete</button>
        </div>
      </form>
    </details>
  );
}
