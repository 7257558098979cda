import express, { type RequestHandler } from 'express';
import { HttpError } from './http-errors';

/**
 * JSON request bodies, up to `limit`. A body of another type is refused by name (415), instead of
 * being skipped and then reported as a missing body.
 */
export function jsonBody(limit: string): RequestHandler[] {
  const onlyJson: RequestHandler = (req, _res, next) =>
    next(
      req.is('application/json') === false
        ? new HttpError(415, 'send the body as JSON, with content-type: application/json', 'UNSUPPORTED_MEDIA_TYPE')
        : undefined,
    );
  return [onlyJson, express.json({ limit })];
}
