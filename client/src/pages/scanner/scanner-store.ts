/**
 * The door scanner's memory: the list it downloaded (public keys, tickets, who is in), the
 * scans it made, and the queue of scans the server has not confirmed yet. Decisions are made
 * here, locally, from the ticket's signature and the downloaded list, so the door keeps
 * working with no network; the queue is uploaded when the network is back, each scan with
 * its nonce so an upload repeated after a lost answer never counts twice.
 *
 * Kept in localStorage (one key per list) so a reload or a dead battery loses nothing.
 */
import {
  createTicketVerifier,
  publicKeysFromJson,
  type TicketVerification,
} from '../../../../server/tickets/ticket-code.ts';
import { normalizeShortCode } from '../../../../server/tickets/short-code.ts';

/** `shortCode`: the door code printed under the QR image (null in lists downloaded before door codes). */
export type OfflineTicket = { id: string; holderName: string; ticketType: string; status: string; shortCode?: string | null };

export type Bundle = {
  list: { id: string; name: string; ticketTypeIds: string[] | null };
  event: { id: string; title: string; startsAt: string; timeZone: string };
  tickets: OfflineTicket[];
  checkedIn: { ticketId: string; at: string }[];
  keys: { kid: string; x: string }[];
  generatedAt: string;
};

export type PendingScan = { nonce: string; scannedAt: string } & ({ code: string } | { ticketId: string });

export type Outcome = 'admitted' | 'already_checked_in' | 'refused';

export type Decision = {
  nonce: string;
  outcome: Outcome;
  message: string;
  holderName?: string;
  ticketType?: string;
  /** When the ticket was first admitted on this list. */
  checkedInAt?: string;
  at: string;
  /** What the server said, once it has seen the scan, when it disagrees with the door. */
  serverNote?: string;
};

export type ServerResult = {
  nonce: string;
  outcome: Outcome;
  message: string;
  checkedInAt?: string;
  ticket?: { id: string; holderName: string; ticketType: string };
  replay?: boolean;
};

type Saved = { bundle: Bundle; local: Record<string, string>; queue: PendingScan[]; recent: Decision[]; lastSync: string | null };

const RECENT = 20;
const REFUSED: Record<string, string> = {
  refunded: 'This ticket was refunded',
  revoked: 'This ticket was revoked',
  cancelled: 'This ticket was cancelled',
};

export type KeyValueStore = Pick<Storage, 'getItem' | 'setItem'>;

export class ScannerStore {
  #saved: Saved;
  #verify: (code: string) => Promise<TicketVerification>;
  readonly #storage: KeyValueStore;
  readonly #key: string;

  private constructor(storage: KeyValueStore, key: string, saved: Saved, verify: (code: string) => Promise<TicketVerification>) {
    this.#storage = storage;
    this.#key = key;
    this.#saved = saved;
    this.#verify = verify;
  }

  static storageKey(listId: string) {
    return `plenary.scanner.${listId}`;
  }

  /** What was saved for the list on this device, or null when it was never downloaded here. */
  static async restore(storage: KeyValueStore, listId: string): Promise<ScannerStore | null> {
    const raw = storage.getItem(ScannerStore.storageKey(listId));
    if (!raw) return null;
    const saved = JSON.parse(raw) as Saved;
    return new ScannerStore(storage, ScannerStore.storageKey(listId), saved, await createTicketVerifier(publicKeysFromJson(saved.bundle)));
  }

  /** Takes a fresh download, keeping this device's own scans and queue. */
  static async fromBundle(storage: KeyValueStore, bundle: Bundle, previous: ScannerStore | null): Promise<ScannerStore> {
    const before = previous ? previous.#saved : null;
    const local: Record<string, string> = {};
    for (const c of bundle.checkedIn) local[c.ticketId] = c.at;
    // Scans not yet uploaded are not in the download: keep them.
    for (const [ticketId, at] of Object.entries(before?.local ?? {})) local[ticketId] ??= at;
    const saved: Saved = { bundle, local, queue: before?.queue ?? [], recent: before?.recent ?? [], lastSync: before?.lastSync ?? null };
    const store = new ScannerStore(storage, ScannerStore.storageKey(bundle.list.id), saved, await createTicketVerifier(publicKeysFromJson(bundle)));
    store.#save();
    return store;
  }

  get bundle() { return this.#saved.bundle; }
  get queue(): readonly PendingScan[] { return this.#saved.queue; }
  get recent(): readonly Decision[] { return this.#saved.recent; }
  get lastSync() { return this.#saved.lastSync; }
  get checkedInCount() { return Object.keys(this.#saved.local).length; }
  get expectedCount() { return this.#saved.bundle.tickets.filter((t) => t.status === 'valid').length; }

  /**
   * Decides on a scanned or typed code at once, offline, and queues it for the server. A door
   * code (eight characters) is looked up in the downloaded list and queued as its ticket's id.
   */
  async scanCode(code: string, now = new Date()): Promise<Decision> {
    const shortCode = normalizeShortCode(code);
    if (shortCode) return this.#doorCode(shortCode, now);
    const verdict = await this.#verify(code);
    const nonce = crypto.randomUUID();
    const at = now.toISOString();
    if (!verdict.valid) return this.#record({ nonce, at, outcome: 'refused', message: 'Not a Plenary ticket, or the code was altered' });
    const { ticketId, eventId, ticketTypeId } = verdict.ticket;
    if (eventId !== this.bundle.event.id) return this.#record({ nonce, at, outcome: 'refused', message: 'This ticket is for another event' });
    const allowed = this.bundle.list.ticketTypeIds;
    const known = this.bundle.tickets.find((t) => t.id === ticketId);
    if (allowed !== null && !allowed.includes(ticketTypeId)) {
      return this.#record({ nonce, at, outcome: 'refused', message: 'This ticket type is not admitted here', holderName: known?.holderName, ticketType: known?.ticketType });
    }
    return this.#admit({ nonce, scannedAt: at, code }, ticketId, known);
  }

  #doorCode(shortCode: string, now: Date): Decision {
    const known = this.bundle.tickets.find((t) => t.shortCode === shortCode);
    if (!known) {
      return this.#record({ nonce: crypto.randomUUID(), at: now.toISOString(), outcome: 'refused', message: 'No ticket on this list has that code. Check the letters, or find the person by name.' });
    }
    return this.checkInTicket(known.id, now);
  }

  /** Manual check-in of someone found by name in the downloaded list. */
  checkInTicket(ticketId: string, now = new Date()): Decision {
    const known = this.bundle.tickets.find((t) => t.id === ticketId);
    const nonce = crypto.randomUUID();
    const at = now.toISOString();
    if (!known) return this.#record({ nonce, at, outcome: 'refused', message: 'No such ticket on this list' });
    return this.#admit({ nonce, scannedAt: at, ticketId }, ticketId, known);
  }

  /** People on the downloaded list whose name matches, for manual check-in. */
  search(query: string, limit = 20) {
    const q = query.trim().toLocaleLowerCase();
    if (!q) return [];
    return this.bundle.tickets
      .filter((t) => t.holderName.toLocaleLowerCase().includes(q))
      .slice(0, limit)
      .map((t) => ({ ...t, checkedInAt: this.#saved.local[t.id] ?? null }));
  }

  /** The next batch to upload. */
  pending(max = 500): PendingScan[] {
    return this.#saved.queue.slice(0, max);
  }

  /** The server's answers to an upload: confirmed scans leave the queue; disagreements are noted. */
  applyServerResults(results: readonly ServerResult[], now = new Date()) {
    const answered = new Set(results.map((r) => r.nonce));
    this.#saved.queue = this.#saved.queue.filter((s) => !answered.has(s.nonce));
    for (const result of results) {
      const decision = this.#saved.recent.find((d) => d.nonce === result.nonce);
      if (result.ticket && result.outcome !== 'refused') this.#saved.local[result.ticket.id] ??= result.checkedInAt ?? now.toISOString();
      if (decision && decision.outcome === 'admitted' && result.outcome !== 'admitted') {
        decision.serverNote = result.outcome === 'already_checked_in'
          ? `Already checked in at another door${result.checkedInAt ? ` (${new Date(result.checkedInAt).toLocaleTimeString()})` : ''}`
          : `Server refused it: ${result.message}`;
      }
    }
    this.#saved.lastSync = now.toISOString();
    this.#save();
  }

  #admit(scan: PendingScan, ticketId: string, known: OfflineTicket | undefined): Decision {
    const base = { nonce: scan.nonce, at: scan.scannedAt, holderName: known?.holderName, ticketType: known?.ticketType };
    if (known && known.status !== 'valid') {
      return this.#record({ ...base, outcome: 'refused', message: REFUSED[known.status] ?? `This ticket is ${known.status}` });
    }
    const earlier = this.#saved.local[ticketId];
    if (earlier) return this.#record({ ...base, outcome: 'already_checked_in', message: 'Already checked in on this list', checkedInAt: earlier });
    this.#saved.local[ticketId] = scan.scannedAt;
    this.#saved.queue.push(scan);
    // A genuine signature on a ticket sold after the download: admitted, the server confirms later.
    const message = known ? 'Welcome' : 'Welcome (ticket newer than this list; confirming with the server)';
    return this.#record({ ...base, outcome: 'admitted', message, checkedInAt: scan.scannedAt });
  }

  #record(decision: Decision): Decision {
    this.#saved.recent = [decision, ...this.#saved.recent].slice(0, RECENT);
    this.#save();
    return decision;
  }

  #save() {
    this.#storage.setItem(this.#key, JSON.stringify(this.#saved));
  }
}
