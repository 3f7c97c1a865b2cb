import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, createApiClient } from './http.ts';

// A stand-in for Plenary's API on loopback: each path answers the way the real server can.
const routes: Record<string, (req: IncomingMessage, res: ServerResponse, body: string) => void> = {
  '/api/echo': (req, res, body) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ method: req.method, contentType: req.headers['content-type'] ?? null, body: body ? JSON.parse(body) : null }));
  },
  '/api/invalid': (_req, res) => {
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(JSON.stringify({
      error: {
        code: 'validation_failed',
        message: 'Some fields are not valid',
        fields: [
          { path: 'email', message: 'Invalid email address' },
          { path: 'email', message: 'Too long' },
          { path: 'password', message: 'Use at least 10 characters' },
        ],
        requestId: 'req-1',
      },
    }));
  },
  '/api/forbidden': (_req, res) => {
    res.writeHead(403, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code: 'bad_setup_token', message: 'Wrong code', requestId: 'req-2' } }));
  },
  '/api/proxy-error': (_req, res) => {
    res.writeHead(502, { 'content-type': 'text/html' });
    res.end('<html><body>Bad gateway</body></html>');
  },
  '/api/empty': (_req, res) => {
    res.writeHead(204);
    res.end();
  },
};

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => routes[req.url ?? '']?.(req, res, body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('api client', () => {
  it('sends and receives JSON', async () => {
    const api = createApiClient(base);
    expect(await api.post('/echo', { name: 'Ada' })).toEqual({
      method: 'POST',
      contentType: 'application/json',
      body: { name: 'Ada' },
    });
    expect(await api.get('/echo')).toEqual({ method: 'GET', contentType: null, body: null });
  });

  it('turns the error format into an ApiError with code, status and fields', async () => {
    const error = await createApiClient(base).post('/invalid', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    const apiError = error as ApiError;
    expect(apiError).toMatchObject({ code: 'validation_failed', status: 400, message: 'Some fields are not valid', requestId: 'req-1' });
    expect(apiError.fields).toHaveLength(3);
    // One message per input: the first, which is the one to act on.
    expect(apiError.fieldMessages()).toEqual({ email: 'Invalid email address', password: 'Use at least 10 characters' });

    const forbidden = (await createApiClient(base).post('/forbidden', {}).catch((e: unknown) => e)) as ApiError;
    expect(forbidden).toMatchObject({ code: 'bad_setup_token', status: 403, fields: [] });
  });

  it('reports answers that are not the error format as bad_response', async () => {
    const error = (await createApiClient(base).get('/proxy-error').catch((e: unknown) => e)) as ApiError;
    expect(error).toMatchObject({ code: 'bad_response', status: 502 });
  });

  it('resolves an empty answer to undefined', async () => {
    expect(await createApiClient(base).delete('/empty')).toBeUndefined();
  });

  it('reports an unreachable server as network_error with status 0', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = (await createApiClient(`http://127.0.0.1:${port}/api`).get('/echo').catch((e: unknown) => e)) as ApiError;
    expect(error).toMatchObject({ code: 'network_error', status: 0 });
  });

  it('passes a caller abort through instead of calling it a network error', async () => {
    const controller = new AbortController();
    controller.abort(new Error('user left the page'));
    const error = await createApiClient(base).get('/echo', { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(ApiError);
    expect((error as Error).message).toBe('user left the page');
  });
});
