/**
 * Where an e-mail's "Stop these e-mails" link lands. It works without logging in; the click
 * on the button (not the page load) unsubscribes, so a mail scanner that follows links does not.
 */
import { useSearchParams } from '@solidjs/router';
import { createSignal, Match, Switch } from 'solid-js';
import { ApiError } from '../api/http.ts';
import { PageHeader } from '../ui/PageHeader.tsx';
import { notificationsApi } from './api.ts';

const KIND_NAMES: Record<string, string> = {
  event_reminder: 'event reminders',
  event_update: 'changes to events you attend',
  chat_mention: 'chat mentions',
  qa_answer: 'answers to your questions',
  announcement: 'announcements from organizers',
};

export function UnsubscribePage() {
  const [params] = useSearchParams<{ token?: string }>();
  const [state, setState] = createSignal<{ done?: string; error?: string }>({});
  const unsubscribe = async () => {
    try {
      const { kind } = await notificationsApi.unsubscribe(params.token ?? '');
      setState({ done: KIND_NAMES[kind] ?? kind });
    } catch (error) {
      setState({ error: error instanceof ApiError ? error.message : 'Something went wrong' });
    }
  };
  return (
    <>
      <PageHeader title="Stop e-mails" lead="Choose which e-mails Plenary sends you." />
      <Switch>
        <Match when={state().done}>
          <p role="status">Done: you will no longer get e-mails about {state().done}. You can turn them back on in your account settings.</p>
        </Match>
        <Match when={true}>
          <p>Stop receiving this kind of e-mail? You will still see these notifications in the app.</p>
          <button type="button" class="button button--primary" onClick={() => void unsubscribe()}>Unsubscribe</button>
          <Switch><Match when={state().error}><p class="field__error" role="alert">{state().error}</p></Match></Switch>
        </Match>
      </Switch>
    </>
  );
}
