import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
// Only tracing.ts of this package: loading the platform's index here would load pg before it is instrumented.
import { markTracingStarted } from './tracing';

// The OpenTelemetry SDK of a vanthu process: loaded with `node --require` before the process's own modules, so that
// node:http, undici and pg are instrumented when they are first loaded. The launcher (infra/src/services.ts,
// `nodeArguments`) adds it only when OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set;
// the exporter reads those and the other standard OTEL_* settings (OTEL_BSP_SCHEDULE_DELAY, headers) itself.
// Spans go out as OTLP/HTTP JSON to a collector (an OpenTelemetry Collector, Jaeger, Tempo…).

// The supervisor names each process (vanthu-documents…); a unit started otherwise is named after its entry point
// (services/<name>/dist/server.js, gateway/dist/server.js).
const entry = /(?:services\/([a-z-]+)|(gateway))\/dist\/[^/]+\.js$/.exec(process.argv[1] ?? '');
const serviceName = process.env.OTEL_SERVICE_NAME ?? `vanthu-${entry?.[1] ?? entry?.[2] ?? 'process'}`;

// Probes and scrapes are not traced: a health check every few seconds would bury the requests.
const untraced = (url: string | undefined): boolean =>
  url === undefined || url.startsWith('/health') || url.startsWith('/metrics');

const provider = new NodeTracerProvider({
  resource: resourceFromAttributes({ 'service.name': serviceName, 'service.namespace': 'vanthu' }),
  spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
});
// Registers the AsyncLocalStorage context manager and the W3C trace-context propagator with the API, which is what
// packages/platform/src/tracing.ts (events, outbox, inbox) and the instrumentations below use.
provider.register();
markTracingStarted();

registerInstrumentations({
  tracerProvider: provider,
  instrumentations: [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: (request) => untraced(request.url),
      // Outgoing calls only inside a trace: the gateway's replica probes and health aggregation stay out.
      requireParentforOutgoingSpans: true,
    }),
    new UndiciInstrumentation({ requireParentforSpans: true }),
    // SQL only inside a request or an event's handling: the outbox relay's polling would be a trace a second.
    new PgInstrumentation({ requireParentSpan: true }),
  ],
});
