import { SpanKind, SpanStatusCode, context, propagation, trace, type Tracer } from '@opentelemetry/api';
import type { NextFunction, Request, Response } from 'express';
import { requestIdOf } from './request-id';

/**
 * A server span per HTTP request, continuing the caller's `traceparent` when it sends one. The
 * rest of the request runs inside the span, so the Temporal client call it makes (signal-with-start,
 * an update) and therefore the workflow and its activities join the same trace.
 */
export function httpTracing(tracer: Tracer) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const parent = propagation.extract(context.active(), req.headers);
    const span = tracer.startSpan(
      `HTTP ${req.method}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'url.path': req.path } },
      parent,
    );
    res.once('finish', () => {
      const route = req.route ? `${req.baseUrl}${String((req.route as { path: unknown }).path)}` : undefined;
      if (route) span.updateName(`HTTP ${req.method} ${route}`);
      span.setAttributes({
        'http.response.status_code': res.statusCode,
        ...(route ? { 'http.route': route } : {}),
        ...(requestIdOf(res) ? { 'tourniquet.request_id': requestIdOf(res) } : {}),
      });
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span), next);
  };
}
