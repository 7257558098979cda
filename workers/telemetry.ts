import type { Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  NoopSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import {
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
  makeWorkflowExporter,
} from '@temporalio/interceptors-opentelemetry';
import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';

/**
 * The workflow interceptor module of @temporalio/interceptors-opentelemetry. Every workflow bundle
 * includes it (the worker always injects the span sink it writes to), so a bundle built ahead of
 * time must list it in `workflowInterceptorModules`.
 */
export const WORKFLOW_INTERCEPTOR_MODULES = [
  require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors'),
];

let registered = false;

export interface Tracing {
  /** Whether spans are recorded and exported (OTLP endpoint set, or a test processor given). */
  enabled: boolean;
  tracer: Tracer;
  /** Activity interceptors: a span per activity, child of the workflow's span; trace ids in activity logs. */
  activityInterceptors: ActivityInterceptorsFactory[];
  /** The sink workflow spans are exported through (workflow code does no I/O itself). */
  sinks: InjectedSinks<Record<string, never>>;
  /** For Client options: signal-with-start and updates carry the caller's trace into the workflow. */
  clientInterceptor: OpenTelemetryWorkflowClientInterceptor;
  shutdown(): Promise<void>;
}

/**
 * OpenTelemetry tracing for one process: HTTP request → Temporal client call → workflow →
 * activities → provider call, one trace. Spans go over OTLP/HTTP when `otlpEndpoint` is set
 * (OTEL_EXPORTER_OTLP_ENDPOINT), to `processor` when given (tests), and nowhere otherwise: then
 * nothing is sampled, so the interceptors cost next to nothing.
 */
export function createTracing(options: {
  serviceName: string;
  otlpEndpoint?: string;
  processor?: SpanProcessor;
}): Tracing {
  const processor =
    options.processor ??
    (options.otlpEndpoint
      ? new BatchSpanProcessor(new OTLPTraceExporter({ url: `${options.otlpEndpoint.replace(/\/$/, '')}/v1/traces` }))
      : undefined);
  const enabled = processor !== undefined;
  const resource = new Resource({ 'service.name': options.serviceName });
  const provider = new NodeTracerProvider({
    resource,
    sampler: enabled ? new AlwaysOnSampler() : new AlwaysOffSampler(),
    spanProcessors: processor ? [processor] : [],
  });
  // The AsyncLocalStorage context manager and W3C propagator, once per process, so context follows
  // async calls; every span is made by this provider's `tracer`, passed explicitly.
  if (!registered) provider.register();
  registered = true;
  const tracer = provider.getTracer('tourniquet');
  return {
    enabled,
    tracer,
    activityInterceptors: [
      (ctx) => ({
        inbound: new OpenTelemetryActivityInboundInterceptor(ctx, { tracer }),
        outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
      }),
    ],
    sinks: { exporter: makeWorkflowExporter(processor ?? new NoopSpanProcessor(), resource) } as never,
    clientInterceptor: new OpenTelemetryWorkflowClientInterceptor({ tracer }),
    async shutdown() {
      await provider.shutdown();
    },
  };
}
