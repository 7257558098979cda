import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import { TourniquetError } from '../../domain/errors';

/** An error the API answers with a status and a message that says what to fix. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code = 'BAD_REQUEST',
  ) {
    super(message);
  }
}

const STATUS_BY_CODE: Record<string, number> = {
  INVALID_INPUT: 400,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  PROVIDER_UNAVAILABLE: 503,
  CONFIGURATION: 500,
};

/** A caller's own request id is kept when it is short and plain; anything else gets a fresh one. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Gives every request an id: the caller's `X-Request-Id` when it is usable, else a new UUID. It is
 * answered in the `X-Request-Id` header of every response and in every error body.
 */
export function requestIds(): RequestHandler {
  return (req, res, next) => {
    const given = req.header('x-request-id');
    const requestId = given && REQUEST_ID.test(given) ? given : randomUUID();
    res.locals.requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    next();
  };
}

export function requestIdOf(res: Response): string {
  const id = res.locals.requestId as string | undefined;
  if (id) return id;
  // A router used without requestIds() in front (a test mounting one router): still answer one.
  const fresh = randomUUID();
  res.locals.requestId = fresh;
  if (!res.headersSent) res.setHeader('X-Request-Id', fresh);
  return fresh;
}

/** The product's one error shape, on every surface: { error: { code, message, fields?, requestId } }. */
export function sendError(
  res: Response,
  status: number,
  code: string,
  message: string,
  fields?: Record<string, string>,
): void {
  res.status(status).json({ error: { code, message, ...(fields ? { fields } : {}), requestId: requestIdOf(res) } });
}

const CODE_BY_STATUS: Record<number, string> = {
  400: 'INVALID_INPUT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  503: 'UNAVAILABLE',
};

/** The error code of a bare HTTP status (for errors that carry only a status, like intake refusals). */
export function codeForStatus(status: number): string {
  return CODE_BY_STATUS[status] ?? (status >= 500 ? 'INTERNAL' : 'BAD_REQUEST');
}

/** Maps every failure to the one error shape. */
export function errorHandler(logger: Logger) {
  return (error: unknown, req: Request, res: Response, next: NextFunction): void => {
    void next;
    const { status, code, message, fields } = describeError(error);
    if (status >= 500) logger.error({ err: error, path: req.path, requestId: requestIdOf(res) }, 'request failed');
    sendError(res, status, code, message, fields);
  };
}

function describeError(error: unknown): {
  status: number;
  code: string;
  message: string;
  fields?: Record<string, string>;
} {
  if (error instanceof HttpError) return { status: error.status, code: error.code, message: error.message };
  if (error instanceof ZodError) {
    // A field this request does not take is named itself (zod reports it at its parent: the body or the query).
    const fields = Object.fromEntries(
      error.issues.flatMap((issue) =>
        issue.code === 'unrecognized_keys'
          ? issue.keys.map((key) => [[...issue.path, key].join('.'), 'not a field this request takes'])
          : [[issue.path.join('.') || '(request)', issue.message]],
      ),
    );
    return {
      status: 400,
      code: 'INVALID_INPUT',
      message: `invalid request: ${Object.entries(fields)
        .map(([k, v]) => `${k}: ${v}`)
        .join('; ')}`,
      fields,
    };
  }
  if (error instanceof WorkflowNotFoundError)
    return {
      status: 404,
      code: 'NOT_FOUND',
      message: error.message.includes('newer incident') ? error.message : 'no such incident',
    };
  if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
    const code = error.cause.type ?? 'CONFLICT';
    return { status: STATUS_BY_CODE[code] ?? 409, code, message: error.cause.message };
  }
  if (error instanceof TourniquetError)
    return { status: STATUS_BY_CODE[error.code] ?? 500, code: error.code, message: error.message };
  if ((error as { type?: string }).type === 'entity.too.large')
    return { status: 413, code: 'TOO_LARGE', message: 'request body is too large' };
  if ((error as { type?: string }).type === 'entity.parse.failed')
    return { status: 400, code: 'INVALID_INPUT', message: 'request body is not valid JSON' };
  if (error instanceof URIError || /^Failed to decode param/.test((error as Error).message ?? ''))
    return {
      status: 400,
      code: 'INVALID_INPUT',
      message: 'the URL is not valid: a part of its path is not percent-encoded correctly',
    };
  // Other client errors raised by Express and its body parser carry their 4xx status.
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500 && (error as { expose?: boolean }).expose)
    return { status, code: codeForStatus(status), message: (error as Error).message };
  return { status: 500, code: 'INTERNAL', message: 'internal error' };
}
