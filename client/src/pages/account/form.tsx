/** What every account form shares: field errors from the server, a form-level alert, a busy flag. */
import { createSignal, type JSX, Show } from 'solid-js';
import { ApiError } from '../../api/http.ts';
import { AlertIcon, CheckIcon } from '../../ui/icons.tsx';

export function createFormState<F extends string>() {
  const [errors, setErrors] = createSignal<Partial<Record<F, string>>>({});
  const [alert, setAlert] = createSignal<string | null>(null);
  const [notice, setNotice] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  return {
    errors,
    alert,
    notice,
    busy,
    setErrors,
    setAlert,
    setNotice,
    /** Runs a submission: clears old messages, maps a server error onto fields or the alert. */
    async run(action: () => Promise<void>, fields: readonly F[] = []): Promise<void> {
      if (busy()) return;
      setBusy(true);
      setErrors({});
      setAlert(null);
      setNotice(null);
      try {
        await action();
      } catch (error) {
        if (!(error instanceof ApiError)) {
          setAlert(error instanceof Error ? error.message : 'Something went wrong on this page. Reload it and try again.');
          return;
        }
        const byField: Partial<Record<F, string>> = {};
        const elsewhere: string[] = [];
        for (const [path, message] of Object.entries(error.fieldMessages())) {
          if ((fields as readonly string[]).includes(path)) byField[path as F] = message;
          else elsewhere.push(message);
        }
        setErrors(() => byField);
        if (Object.keys(byField).length === 0 || elsewhere.length > 0) setAlert([error.message, ...elsewhere].join(' '));
      } finally {
        setBusy(false);
      }
    },
  };
}

export function FormMessages(props: { alert: string | null; notice?: string | null }) {
  return (
    <>
      <Show when={props.alert}>
        <div class="form-alert" role="alert">
          <AlertIcon />
          <p>{props.alert}</p>
        </div>
      </Show>
      <Show when={props.notice}>
        <p class="form-success" role="status">
          <CheckIcon size={16} /> {props.notice}
        </p>
      </Show>
    </>
  );
}

export function SubmitButton(props: { busy: boolean; children: JSX.Element; busyLabel: string; block?: boolean }) {
  return (
    <button type="submit" class="button button--primary" classList={{ 'button--block': props.block ?? true }} aria-disabled={props.busy}>
      {props.busy ? props.busyLabel : props.children}
    </button>
  );
}
