import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import { requestId, requestIdOf } from '../../../entrypoints/http/request-id';
import { createLogger } from '../../../workers/logger';

describe('request ids', () => {
  const lines: string[] = [];
  const logger = createLogger(
    'info',
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    }),
  );
  let server: Server;
  let baseUrl: string;

  beforeAll(async () => {
    const app = express();
    app.use(requestId());
    app.get('/echo', async (_req, res) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      logger.info('serving echo');
      res.json({ requestId: requestIdOf(res) });
    });
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('keeps a well-formed X-Request-Id from the caller and returns it', async () => {
    const response = await fetch(`${baseUrl}/echo`, { headers: { 'x-request-id': 'edge-42.abc' } });
    expect(response.headers.get('x-request-id')).toBe('edge-42.abc');
    expect(await response.json()).toEqual({ requestId: 'edge-42.abc' });
  });

  it('generates an id when none is sent, and replaces one that is malformed instead of echoing it', async () => {
    const fresh = await fetch(`${baseUrl}/echo`);
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const hostile = await fetch(`${baseUrl}/echo`, { headers: { 'x-request-id': 'a b <script>' } });
    const id = hostile.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(id).not.toBe(fresh.headers.get('x-request-id'));
  });

  it('stamps every log line written while serving the request with its id', async () => {
    lines.length = 0;
    await Promise.all([
      fetch(`${baseUrl}/echo`, { headers: { 'x-request-id': 'first' } }),
      fetch(`${baseUrl}/echo`, { headers: { 'x-request-id': 'second' } }),
    ]);
    const ids = lines.map((line) => (JSON.parse(line) as { requestId?: string }).requestId).sort();
    expect(ids).toEqual(['first', 'second']);
    logger.info('outside any request');
    expect(JSON.parse(lines.at(-1)!)).not.toHaveProperty('requestId');
  });
});
