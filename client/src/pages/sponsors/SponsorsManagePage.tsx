/**
 * The organizer's sponsors page for one event: tiers (name, logo size), sponsors (name,
 * logo, banner, link, description, tier), impressions and click-throughs per sponsor, and
 * the live overlay's controls for any session.
 */
import { useParams } from '@solidjs/router';
import { createResource, createSignal, For, Show } from 'solid-js';
import { api, ApiError } from '../../api/http.ts';
import { PageHeader } from '../../ui/PageHeader.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { type LogoSize, type SponsorInput, sponsorsApi } from './api.ts';
import { SponsorOverlayControls } from './SponsorOverlayControls.tsx';
import './sponsors.css';

type EventDetail = { event: { id: string; title: string }; sessions: { id: string; title: string; startsAt: string }[] };
const EMPTY: SponsorInput = { name: '', description: '', logoUrl: '', bannerUrl: '', link: '', tierId: null, position: 0 };

export function SponsorsManagePage() {
  const params = useParams<{ id: string }>();
  const [detail] = createResource(() => params.id, (id) => api.get<EventDetail>(`/organize/events/${id}`));
  const [tiers, { refetch: refetchTiers }] = createResource(() => params.id, (id) => sponsorsApi.list(id).then((r) => r.tiers));
  const [stats, { refetch: refetchStats }] = createResource(() => params.id, (id) => sponsorsApi.stats(id).then((r) => r.sponsors));
  const [tierName, setTierName] = createSignal('');
  const [tierSize, setTierSize] = createSignal<LogoSize>('medium');
  const [sponsor, setSponsor] = createSignal<SponsorInput>({ ...EMPTY });
  const [sessionId, setSessionId] = createSignal('');
  const [error, setError] = createSignal('');
  const realTiers = () => (tiers.latest ?? []).filter((t) => t.id !== null);
  const field = (key: keyof SponsorInput) => (value: string) => setSponsor({ ...sponsor(), [key]: value });
  const run = async (action: () => Promise<unknown>) => {
    setError('');
    try {
      await action();
      void refetchTiers();
      void refetchStats();
    } catch (e) {
      setError(e instanceof ApiError ? [e.message, ...e.fields.map((f) => `${f.path}: ${f.message}`)].join(' · ') : 'Something went wrong');
    }
  };

  return (
    <div class="sponsors-manage">
      <PageHeader title="Sponsors" lead={detail.latest ? `Tiers, sponsors and the live overlay for ${detail.latest.event.title}` : undefined} />
      <Show when={error()}>
        <p class="form-alert" role="alert">{error()}</p>
      </Show>

      <section class="card" aria-labelledby="tiers-title">
        <h2 class="card__title" id="tiers-title">Tiers</h2>
        <ul class="sponsors-manage__list">
          <For each={realTiers()}>
            {(tier) => (
              <li>
                <span>{tier.name} <span class="form-note">({tier.logoSize} logos, {tier.sponsors.length} sponsors)</span></span>
                <button type="button" class="button" aria-label={`Delete tier ${tier.name}`} onClick={() => void run(() => sponsorsApi.deleteTier(tier.id!))}>Delete</button>
              </li>
            )}
          </For>
        </ul>
        <form class="form inline-form" onSubmit={(e) => {
          e.preventDefault();
          void run(async () => { await sponsorsApi.createTier(params.id, { name: tierName(), logoSize: tierSize(), position: realTiers().length }); setTierName(''); });
        }}>
          <TextField id="tier-name" label="Tier name" value={tierName()} onValue={setTierName} required />
          <div class="field">
            <label class="field__label" for="tier-size">Logo size</label>
            <select class="field__input" id="tier-size" value={tierSize()} onChange={(e) => setTierSize(e.currentTarget.value as LogoSize)}>
              <option value="large">Large</option>
              <option value="medium">Medium</option>
              <option value="small">Small</option>
            </select>
          </div>
          <button type="submit" class="button button--primary">Add tier</button>
        </form>
      </section>

      <section class="card" aria-labelledby="sponsor-form-title">
        <h2 class="card__title" id="sponsor-form-title">Add a sponsor</h2>
        <form class="form" onSubmit={(e) => {
          e.preventDefault();
          void run(async () => { await sponsorsApi.create(params.id, sponsor()); setSponsor({ ...EMPTY }); });
        }}>
          <TextField id="sponsor-name" label="Name" value={sponsor().name} onValue={field('name')} required />
          <TextField id="sponsor-link" label="Link" type="url" value={sponsor().link} onValue={field('link')} hint="Where a click goes (https://…)" />
          <TextField id="sponsor-logo" label="Logo address" type="url" value={sponsor().logoUrl} onValue={field('logoUrl')} />
          <TextField id="sponsor-banner" label="Banner address" type="url" value={sponsor().bannerUrl} onValue={field('bannerUrl')} />
          <TextField id="sponsor-description" label="Description" value={sponsor().description} onValue={field('description')} />
          <div class="field">
            <label class="field__label" for="sponsor-tier">Tier</label>
            <select class="field__input" id="sponsor-tier" value={sponsor().tierId ?? ''} onChange={(e) => setSponsor({ ...sponsor(), tierId: e.currentTarget.value || null })}>
              <option value="">No tier</option>
              <For each={realTiers()}>{(t) => <option value={t.id!}>{t.name}</option>}</For>
            </select>
          </div>
          <button type="submit" class="button button--primary">Add sponsor</button>
        </form>
      </section>

      <section class="card" aria-labelledby="stats-title">
        <h2 class="card__title" id="stats-title">Impressions and clicks</h2>
        <div class="table-scroll">
          <table class="data-table">
            <thead><tr><th scope="col">Sponsor</th><th scope="col">Impressions</th><th scope="col">Clicks</th><th scope="col">Click-through</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              <For each={stats.latest ?? []}>
                {(s) => (
                  <tr>
                    <th scope="row">{s.name}</th>
                    <td>{s.impressions}</td>
                    <td>{s.clicks}</td>
                    <td>{s.clickThroughRate === null ? '–' : `${(s.clickThroughRate * 100).toFixed(1)} %`}</td>
                    <td><button type="button" class="button" aria-label={`Remove ${s.name}`} onClick={() => void run(() => sponsorsApi.remove(s.id))}>Remove</button></td>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        </div>
      </section>

      <section class="card" aria-labelledby="overlay-title">
        <h2 class="card__title" id="overlay-title">Live overlay</h2>
        <div class="field">
          <label class="field__label" for="overlay-session">Session</label>
          <select class="field__input" id="overlay-session" value={sessionId()} onChange={(e) => setSessionId(e.currentTarget.value)}>
            <option value="">Choose a session</option>
            <For each={detail.latest?.sessions ?? []}>{(s) => <option value={s.id}>{s.title}</option>}</For>
          </select>
        </div>
        <Show when={sessionId()} keyed>
          {(id) => <SponsorOverlayControls eventId={params.id} sessionId={id} />}
        </Show>
      </section>
    </div>
  );
}
