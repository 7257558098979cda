import type { RequestHandler } from 'express';
import { sendError } from '../http-errors';

/**
 * Caps the webhook requests being worked on at once. Past the cap the sender gets 429 with
 * Retry-After before its body is even read: every source we accept retries on 429 (GitHub lets
 * operators redeliver), and shedding early keeps the requests already admitted inside the
 * sources' deadlines (GitHub gives up after 10 s).
 */
export function inFlightLimiter(maxInFlight: number, retryAfterSeconds = 1): RequestHandler & { inFlight(): number } {
  let inFlight = 0;
  const middleware: RequestHandler = (_req, res, next) => {
    if (inFlight >= maxInFlight) {
      res.set('Retry-After', String(retryAfterSeconds));
      sendError(res, 429, 'RATE_LIMITED', `overloaded: more than ${maxInFlight} alerts in flight, retry later`);
      return;
    }
    inFlight += 1;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      inFlight -= 1;
    };
    res.on('finish', release);
    res.on('close', release);
    next();
  };
  return Object.assign(middleware, { inFlight: () => inFlight });
}
