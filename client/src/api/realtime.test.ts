import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type WebSocket as ServerSocket, WebSocketServer } from 'ws';
import { CloseCode, RealtimeClient, type RealtimeStatus, reconnectDelay, realtimeUrl } from './realtime.ts';

declare module './realtime.ts' {
  interface RealtimeRequests {
    'test.echo': { payload: { text: string }; reply: { text: string } };
    'test.fail': { payload: Record<string, never>; reply: never };
    'test.silent': { payload: Record<string, never>; reply: never };
  }
  interface RealtimePushes {
    'test.news': { t: 'test.news'; headline: string };
  }
}

type Frame = { t: string; id?: number; [key: string]: unknown };

/**
 * A small server speaking Plenary's frame protocol on loopback; each test
 * decides how it answers through `onFrame`.
 */
let wss: WebSocketServer;
let url: string;
let sockets: ServerSocket[];
let onFrame: (socket: ServerSocket, frame: Frame) => void;
let client: RealtimeClient;

function nextConnection(): Promise<ServerSocket> {
  return new Promise((resolve) => wss.once('connection', (socket) => resolve(socket)));
}

function waitForStatus(target: RealtimeStatus): Promise<void> {
  if (client.status === target) return Promise.resolve();
  return new Promise((resolve) => {
    const stop = client.onStatus((status) => {
      if (status !== target) return;
      stop();
      resolve();
    });
  });
}

beforeEach(async () => {
  sockets = [];
  onFrame = (socket, frame) => socket.send(JSON.stringify({ t: 'ok', id: frame.id, data: { ...frame, t: undefined, id: undefined } }));
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/ws' });
  wss.on('connection', (socket) => {
    sockets.push(socket);
    socket.send(JSON.stringify({ t: 'sys.hello', connectionId: `c${sockets.length}`, heartbeatMs: 25_000, serverTime: Date.now() }));
    socket.on('message', (data) => onFrame(socket, JSON.parse(String(data)) as Frame));
  });
  await new Promise((resolve) => wss.once('listening', resolve));
  url = realtimeUrl({ protocol: 'http:', host: `127.0.0.1:${(wss.address() as AddressInfo).port}` });
  client = new RealtimeClient({ url, initialBackoffMs: 5, maxBackoffMs: 40, rateLimitedBackoffMs: 20, requestTimeoutMs: 2_000 });
});

afterEach(async () => {
  client.close();
  await new Promise((resolve) => wss.close(resolve));
});

describe('realtime client', () => {
  it('builds the socket URL from the page: ws for http, wss for https', () => {
    expect(realtimeUrl({ protocol: 'http:', host: 'localhost:5173' })).toBe('ws://localhost:5173/ws');
    expect(realtimeUrl({ protocol: 'https:', host: 'events.example.org' })).toBe('wss://events.example.org/ws');
  });

  it('matches replies to requests by id, whatever order they come in', async () => {
    const held: Frame[] = [];
    onFrame = (socket, frame) => {
      held.push(frame);
      if (held.length < 2) return;
      // Answer the second request first.
      for (const f of [...held].reverse()) socket.send(JSON.stringify({ t: 'ok', id: f.id, data: { text: f.text } }));
    };
    client.connect();
    const [first, second] = await Promise.all([
      client.request('test.echo', { text: 'first' }),
      client.request('test.echo', { text: 'second' }),
    ]);
    expect(first).toEqual({ text: 'first' });
    expect(second).toEqual({ text: 'second' });
    expect(held.map((f) => f.id)).toEqual([1, 2]);
  });

  it('sends requests made before the socket opened once it opens', async () => {
    client.connect();
    expect(client.status).toBe('connecting');
    expect(await client.request('test.echo', { text: 'early' })).toEqual({ text: 'early' });
  });

  it('rejects with the error reply, fields included', async () => {
    onFrame = (socket, frame) =>
      socket.send(JSON.stringify({
        t: 'error',
        id: frame.id,
        code: 'validation_failed',
        message: 'Text is too long',
        fields: [{ path: 'text', message: 'Too long' }],
      }));
    client.connect();
    await expect(client.request('test.fail', {})).rejects.toMatchObject({
      name: 'RealtimeError',
      code: 'validation_failed',
      message: 'Text is too long',
      fields: [{ path: 'text', message: 'Too long' }],
    });
  });

  it('rejects with timeout when no reply comes', async () => {
    onFrame = () => {};
    client = new RealtimeClient({ url, requestTimeoutMs: 50 });
    client.connect();
    await expect(client.request('test.silent', {})).rejects.toMatchObject({ code: 'timeout' });
  });

  it('delivers pushes by type, and one failing listener does not silence the others', async () => {
    client.connect();
    const connection = await nextConnection();
    const headlines: string[] = [];
    const originalError = console.error;
    console.error = () => {};
    client.on('test.news', () => {
      throw new Error('broken feature');
    });
    const unsubscribe = client.on('test.news', (push) => headlines.push(push.headline));
    await waitForStatus('open');
    connection.send(JSON.stringify({ t: 'test.news', headline: 'Doors open' }));
    await client.request('test.echo', { text: 'sync' }); // The push was handled before this reply.
    unsubscribe();
    connection.send(JSON.stringify({ t: 'test.news', headline: 'Not heard' }));
    await client.request('test.echo', { text: 'sync' });
    console.error = originalError;
    expect(headlines).toEqual(['Doors open']);
  });

  it('reconnects after the server goes away and reports each status', async () => {
    const statuses: RealtimeStatus[] = [];
    client.onStatus((status) => statuses.push(status));
    client.connect();
    const first = await nextConnection();
    await waitForStatus('open');
    const second = nextConnection();
    first.close(CloseCode.GoingAway, 'Server shutting down');
    await second;
    await waitForStatus('open');
    expect(statuses).toEqual(['connecting', 'open', 'reconnecting', 'open']);
    expect(await client.request('test.echo', { text: 'again' })).toEqual({ text: 'again' });
  });

  it('rejects a request in flight when the connection drops', async () => {
    onFrame = (socket) => socket.terminate();
    client.connect();
    await expect(client.request('test.echo', { text: 'lost' })).rejects.toMatchObject({ code: 'connection_lost' });
  });

  it.each([CloseCode.Unauthorized, CloseCode.Banned])('stays closed after close code %i', async (code) => {
    client.connect();
    const connection = await nextConnection();
    await waitForStatus('open');
    connection.close(code);
    await waitForStatus('closed');
    expect(client.lastClose?.code).toBe(code);
    await expect(client.request('test.echo', { text: 'nope' })).rejects.toMatchObject({ code: 'not_connected' });
    // Well past several backoff steps: a reconnect would have shown up as a new connection.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sockets).toHaveLength(1);
  });

  it('closes for good on close(), safely twice', async () => {
    client.connect();
    await waitForStatus('open');
    client.close();
    client.close();
    expect(client.status).toBe('closed');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sockets).toHaveLength(1);
  });
});

describe('reconnect delay', () => {
  const options = { initialBackoffMs: 500, maxBackoffMs: 30_000, rateLimitedBackoffMs: 5_000 };

  it('doubles per attempt up to the ceiling, with up to half of each step random', () => {
    const least = (attempt: number) => reconnectDelay(attempt, CloseCode.GoingAway, { ...options, random: () => 0 });
    const most = (attempt: number) => reconnectDelay(attempt, CloseCode.GoingAway, { ...options, random: () => 1 });
    expect([0, 1, 2, 3].map(least)).toEqual([250, 500, 1_000, 2_000]);
    expect([0, 1, 2, 3].map(most)).toEqual([500, 1_000, 2_000, 4_000]);
    expect(least(20)).toBe(15_000);
    expect(most(20)).toBe(30_000);
  });

  it('waits at least the rate-limit pause after 4429', () => {
    expect(reconnectDelay(0, CloseCode.RateLimited, { ...options, random: () => 0 })).toBe(5_000);
  });

  it('waits as long after 4430 (too many sockets): another tab must close first', () => {
    expect(reconnectDelay(0, CloseCode.TooManyConnections, { ...options, random: () => 0 })).toBe(5_000);
  });
});
