import type { AddressInfo } from 'node:net';
import express from 'express';
import { inFlightLimiter } from '../../../entrypoints/http/intake/limiter';

describe('in-flight limiter', () => {
  it('answers 429 with Retry-After past the cap and admits again once requests finish', async () => {
    const limiter = inFlightLimiter(2);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const app = express();
    app.post('/hook', limiter, async (_req, res) => {
      await gate;
      res.json({ ok: true });
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    try {
      const held = [fetch(url, { method: 'POST' }), fetch(url, { method: 'POST' })];
      while (limiter.inFlight() < 2) await new Promise((resolve) => setTimeout(resolve, 5));
      const shed = await fetch(url, { method: 'POST' });
      expect([shed.status, shed.headers.get('retry-after')]).toEqual([429, '1']);
      release();
      expect((await Promise.all(held)).map((r) => r.status)).toEqual([200, 200]);
      expect(limiter.inFlight()).toBe(0);
      expect((await fetch(url, { method: 'POST' })).status).toBe(200);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
