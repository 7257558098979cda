import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { NextFunction, Request, Response } from 'express';
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

/** Maps every failure to one JSON shape: { error: { code, message, fields? } }. */
export function errorHandler(logger: Logger) {
  return (error: unknown, req: Request, res: Response, next: NextFunction): void => {
    void next;
    const { status, code, message, fields } = describeError(error);
    if (status >= 500) logger.error({ err: error, path: req.path }, 'request failed');
    res.status(status).json({ error: { code, message, ...(fields ? { fields } : {}) } });
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
    const fields = Object.fromEntries(error.issues.map((issue) => [issue.path.join('.') || '(body)', issue.message]));
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
  return { status: 500, code: 'INTERNAL', message: 'internal error' };
}
