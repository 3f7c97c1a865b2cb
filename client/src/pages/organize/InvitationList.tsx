import { For, Show } from 'solid-js';
import type { Invitation } from './api.ts';

const day = (iso: string) => new Date(iso).toLocaleDateString(undefined, { day: 'numeric', month: 'short' });

/**
 * Pending invitations: the address, "invited" (or "expired") and the role, with resend and
 * withdraw. Who owns an address is not known here until they accept and appear as a member.
 */
export function InvitationList(props: {
  invitations: Invitation[]; roleLabel: (role: string | null) => string; canManage: boolean;
  resend: (i: Invitation) => void; revoke: (i: Invitation) => void;
}) {
  return (
    <Show when={props.invitations.length > 0}>
      <h3 class="organize-subtitle">Invited</h3>
      <ul class="organize-list" aria-label="Pending invitations">
        <For each={props.invitations}>{(i) => (
          <li class="organize-list__item organize-invitation" aria-label={`Invitation for ${i.email}`}>
            <div class="organize-invitation__who">
              <strong class="organize-invitation__email">{i.email}</strong>
              <div class="organize-list__meta">
                <span class="badge">{i.status === 'expired' ? 'Expired' : 'Invited'}</span> {props.roleLabel(i.role)} ·{' '}
                {i.status === 'expired' ? `link expired ${day(i.expiresAt)}` : `sent ${day(i.sentAt)}, valid until ${day(i.expiresAt)}`}
              </div>
            </div>
            <Show when={props.canManage}>
              <div class="organize-actions">
                <button type="button" class="button" onClick={() => props.resend(i)} aria-label={`Resend the invitation to ${i.email}`}>Resend</button>
                <button type="button" class="button" onClick={() => props.revoke(i)} aria-label={`Withdraw the invitation to ${i.email}`}>Withdraw</button>
              </div>
            </Show>
          </li>
        )}</For>
      </ul>
    </Show>
  );
}
