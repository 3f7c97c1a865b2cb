import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TicketKeys } from '../../../../server/tickets/ticket-keys.ts';
import { type Bundle, ScannerStore } from './scanner-store.ts';

class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem(key: string) { return this.items.get(key) ?? null; }
  setItem(key: string, value: string) { this.items.set(key, value); }
}

const keys = TicketKeys.load(mkdtempSync(path.join(tmpdir(), 'scanner-keys-')));
const eventId = randomUUID();
const general = randomUUID();
const workshop = randomUUID();
const sign = (ticketId: string, typeId = general, event = eventId) => keys.sign({ ticketId, eventId: event, ticketTypeId: typeId, issuedAt: new Date() });

function bundle(overrides: Partial<Bundle> = {}): Bundle {
  return {
    list: { id: randomUUID(), name: 'Main entrance', ticketTypeIds: null },
    event: { id: eventId, title: 'Conf', startsAt: new Date().toISOString(), timeZone: 'Europe/Paris' },
    tickets: [],
    checkedIn: [],
    keys: keys.publicKeysJson().keys,
    generatedAt: new Date().toISOString(),
    ...overrides,
  };
}

describe('the offline scanner store', () => {
  it('admits a signed ticket once, refuses altered codes, other events, refunded tickets and types not on the list', async () => {
    const ada = randomUUID(), rita = randomUUID(), wes = randomUUID();
    const list = bundle({
      list: { id: randomUUID(), name: 'Main', ticketTypeIds: [general] },
      tickets: [
        { id: ada, holderName: 'Ada', ticketType: 'General', status: 'valid' },
        { id: rita, holderName: 'Rita', ticketType: 'General', status: 'refunded' },
      ],
    });
    const store = await ScannerStore.fromBundle(new MemoryStorage(), list, null);
    expect(await store.scanCode(sign(ada))).toMatchObject({ outcome: 'admitted', holderName: 'Ada', message: 'Welcome' });
    expect(await store.scanCode(sign(ada))).toMatchObject({ outcome: 'already_checked_in' });
    expect(await store.scanCode(sign(rita))).toMatchObject({ outcome: 'refused', message: 'This ticket was refunded' });
    expect(await store.scanCode(sign(wes, workshop))).toMatchObject({ outcome: 'refused', message: 'This ticket type is not admitted here' });
    expect(await store.scanCode(sign(randomUUID(), general, randomUUID()))).toMatchObject({ outcome: 'refused', message: 'This ticket is for another event' });
    const code = sign(ada);
    expect(await store.scanCode(`${code.slice(0, 30)}${code[30] === 'A' ? 'B' : 'A'}${code.slice(31)}`)).toMatchObject({ outcome: 'refused' });
    // A genuine ticket sold after the download: admitted on its signature, confirmed later.
    expect(await store.scanCode(sign(randomUUID()))).toMatchObject({ outcome: 'admitted', message: expect.stringContaining('newer than this list') });
    expect(store.queue).toHaveLength(2);
    expect(store.checkedInCount).toBe(2);
  });

  it('keeps its queue across a reload and a fresh download, and drops only what the server answered', async () => {
    const storage = new MemoryStorage();
    const ada = randomUUID(), bob = randomUUID();
    const first = bundle({ tickets: [{ id: ada, holderName: 'Ada', ticketType: 'General', status: 'valid' }, { id: bob, holderName: 'Bob', ticketType: 'General', status: 'valid' }] });
    const store = await ScannerStore.fromBundle(storage, first, null);
    const admitted = await store.scanCode(sign(ada));
    store.checkInTicket(bob);
    expect(store.search('bo')).toEqual([expect.objectContaining({ id: bob, checkedInAt: expect.any(String) })]);

    const reloaded = (await ScannerStore.restore(storage, first.list.id))!;
    expect(reloaded.queue.map((s) => s.nonce)).toEqual(store.queue.map((s) => s.nonce));
    const refreshed = await ScannerStore.fromBundle(storage, { ...first, checkedIn: [] }, reloaded);
    expect(refreshed.checkedInCount).toBe(2);
    expect(refreshed.queue).toHaveLength(2);

    // The server saw Ada at another door first.
    refreshed.applyServerResults([{ nonce: admitted.nonce, outcome: 'already_checked_in', message: 'Already checked in on this list', checkedInAt: new Date().toISOString(), ticket: { id: ada, holderName: 'Ada', ticketType: 'General' } }]);
    expect(refreshed.queue).toHaveLength(1);
    expect(refreshed.recent.find((d) => d.nonce === admitted.nonce)?.serverNote).toMatch(/another door/);
    expect((await ScannerStore.restore(storage, first.list.id))!.queue).toHaveLength(1);
  });

  it('admits a typed door code offline, however it was typed, and queues the ticket itself', async () => {
    const ada = randomUUID(), rita = randomUUID();
    const list = bundle({
      tickets: [
        { id: ada, holderName: 'Ada', ticketType: 'General', status: 'valid', shortCode: '7K3MQ9XT' },
        { id: rita, holderName: 'Rita', ticketType: 'General', status: 'refunded', shortCode: 'HHJJ2345' },
      ],
    });
    const store = await ScannerStore.fromBundle(new MemoryStorage(), list, null);
    expect(await store.scanCode(' 7k3m-q9xt ')).toMatchObject({ outcome: 'admitted', holderName: 'Ada' });
    expect(store.queue).toEqual([expect.objectContaining({ ticketId: ada })]);
    expect(await store.scanCode('7K3MQ9XT')).toMatchObject({ outcome: 'already_checked_in' });
    expect(await store.scanCode('HHJJ-2345')).toMatchObject({ outcome: 'refused', holderName: 'Rita', message: 'This ticket was refunded' });
    expect(await store.scanCode('7K3M-Q9XZ')).toMatchObject({ outcome: 'refused', message: expect.stringContaining('No ticket on this list has that code') });
    expect(store.queue).toHaveLength(1);
  });
});
