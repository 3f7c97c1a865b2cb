/** The durable job queue: counts by status, jobs filtered by status and kind, and a retry for dead ones. */
import { createResource, createSignal, For, Show } from 'solid-js';
import { api } from '../../api/http.ts';
import { AdminFrame } from './AdminFrame.tsx';

type JobStatus = 'queued' | 'running' | 'done' | 'dead';
type Job = {
  id: string;
  kind: string;
  key: string | null;
  status: JobStatus;
  runAt: string;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  updatedAt: string;
};
const STATUSES: JobStatus[] = ['queued', 'running', 'done', 'dead'];
const when = (iso: string) => new Date(iso).toLocaleString();

export function AdminJobsPage() {
  const [status, setStatus] = createSignal<JobStatus | ''>('');
  const [kind, setKind] = createSignal('');
  const [message, setMessage] = createSignal('');
  const [listing, { refetch }] = createResource(
    () => ({ status: status(), kind: kind() }),
    (filter) => {
      const query = new URLSearchParams({ limit: '100' });
      if (filter.status) query.set('status', filter.status);
      if (filter.kind) query.set('kind', filter.kind);
      return api.get<{ counts: Record<JobStatus, number>; jobs: Job[] }>(`/admin/jobs?${query}`);
    },
  );
  const retry = async (job: Job) => {
    try {
      await api.post(`/admin/jobs/${job.id}/retry`, {});
      setMessage(`Job ${job.kind} queued again.`);
      void refetch();
    } catch (error) {
      setMessage((error as Error).message);
    }
  };
  return (
    <AdminFrame title="Jobs" lead="Reminders, announcements and other background work, with their retries.">
      <form class="form__row admin-filters" onSubmit={(e) => e.preventDefault()}>
        <label class="field">
          <span class="field__label">Status</span>
          <select class="field__input" value={status()} onChange={(e) => setStatus(e.currentTarget.value as JobStatus | '')}>
            <option value="">Any</option>
            <For each={STATUSES}>{(s) => <option value={s}>{s} ({listing()?.counts[s] ?? '…'})</option>}</For>
          </select>
        </label>
        <label class="field">
          <span class="field__label">Kind</span>
          <input class="field__input" value={kind()} placeholder="e.g. notification.reminder" onChange={(e) => setKind(e.currentTarget.value.trim())} />
        </label>
      </form>
      <Show when={message()}><p role="status">{message()}</p></Show>
      <Show when={listing()?.jobs.length === 0}><p>No jobs.</p></Show>
      <ul class="admin-list">
        <For each={listing()?.jobs}>
          {(job) => (
            <li class="admin-list__item" data-testid="job">
              <div class="admin-list__who">
                <strong>{job.kind}</strong>{' '}
                <span class="badge" classList={{ 'badge--danger': job.status === 'dead' }}>{job.status}</span>
                <p class="admin-list__email">
                  {job.key ?? job.id} · attempt {job.attempts}/{job.maxAttempts} · runs {when(job.runAt)} · changed {when(job.updatedAt)}
                </p>
                <Show when={job.lastError}><p class="field__error">{job.lastError}</p></Show>
              </div>
              <Show when={job.status === 'dead'}>
                <button type="button" class="button" onClick={() => void retry(job)} aria-label={`Retry ${job.kind} ${job.key ?? job.id}`}>Retry</button>
              </Show>
            </li>
          )}
        </For>
      </ul>
    </AdminFrame>
  );
}
