import {
  context,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import type { Context, Span } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';

// OpenTelemetry traces, API side. Everything here is a no-op until a process loads the SDK (tracing-preload.ts,
// which `npm start` and the test stacks put in front of every service when OTEL_EXPORTER_OTLP_ENDPOINT is set): with
// no provider registered, the tracer hands out non-recording spans and the propagator injects nothing, so the hot
// paths pay a function call, not a span.

const tracer = () => trace.getTracer('vanthu');

let sdkStarted = false;
/** Called by tracing-sdk.ts once the SDK is registered in this process. */
export function markTracingStarted(): void {
  sdkStarted = true;
}
/** Whether spans are recorded in this process: callers skip the work of describing spans nobody records. */
export const isTracing = (): boolean => sdkStarted;

/**
 * The W3C trace context of the code running now, as CloudEvents distributed-tracing extension attributes
 * (`traceparent`, `tracestate`: https://github.com/cloudevents/spec/blob/main/cloudevents/extensions/distributed-tracing.md).
 * Written into an event when it is created, so the trace of the request that caused it carries on through the
 * outbox, Kafka and the consumer's inbox, however long the event waits in between.
 */
export function traceContextExtensions(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  const extensions: Record<string, string> = {};
  if (carrier.traceparent) extensions.traceparent = carrier.traceparent;
  if (carrier.tracestate) extensions.tracestate = carrier.tracestate;
  return extensions;
}

/** The context an event was created in, from its extension attributes (the root context when it carries none). */
function eventContext(extensions: Record<string, string>): Context {
  return propagation.extract(context.active(), {
    ...(extensions.traceparent ? { traceparent: extensions.traceparent } : {}),
    ...(extensions.tracestate ? { tracestate: extensions.tracestate } : {}),
  });
}

type TracedEvent = { id: string; type: string; extensions: Record<string, string> };

async function inSpan<T>(span: Span, spanContext: Context, work: () => Promise<T>): Promise<T> {
  try {
    return await context.with(trace.setSpan(spanContext, span), work);
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    throw error;
  } finally {
    span.end();
  }
}

const eventAttributes = (event: TracedEvent, topic: string, operation: 'publish' | 'process') => ({
  'messaging.system': 'kafka',
  'messaging.destination.name': topic,
  'messaging.operation.type': operation,
  'messaging.message.id': event.id,
  'cloudevents.event_type': event.type,
  ...(event.extensions.requestid ? { 'vanthu.request_id': event.extensions.requestid } : {}),
});

/**
 * A consumer's handling of one event, as a span that continues the trace the event was created in: the handler's
 * SQL and the services it calls appear under it.
 */
export function inConsumeSpan<T>(
  consumer: string,
  topic: string,
  event: TracedEvent,
  work: () => Promise<T>,
): Promise<T> {
  const parent = eventContext(event.extensions);
  const span = tracer().startSpan(
    `process ${event.type}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: { ...eventAttributes(event, topic, 'process'), 'vanthu.consumer': consumer },
    },
    parent,
  );
  return inSpan(span, parent, work);
}

/**
 * A consumer's transaction over a batch of events (the inbox rows, the handlers' writes sent together). A batch of
 * one continues its event's trace, so that the SQL of an event handled alone is in the trace that caused it; a larger
 * batch is a trace of its own, linked to each of its events' traces (the OpenTelemetry messaging conventions for
 * batch processing), and each handler still gets its span in its event's trace (`inConsumeSpan`).
 */
export function inConsumeBatchSpan<T>(
  consumer: string,
  topic: string,
  events: TracedEvent[],
  work: () => Promise<T>,
): Promise<T> {
  const [only] = events;
  if (!only) return work();
  const parent = events.length === 1 ? eventContext(only.extensions) : ROOT_CONTEXT;
  const links =
    events.length === 1
      ? []
      : events.flatMap((event) => {
          const linked = trace.getSpanContext(eventContext(event.extensions));
          return linked && isSpanContextValid(linked) ? [{ context: linked }] : [];
        });
  const span = tracer().startSpan(
    `process batch ${topic}`,
    {
      kind: SpanKind.CONSUMER,
      links,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.destination.name': topic,
        'messaging.operation.type': 'process',
        'messaging.batch.message_count': events.length,
        'vanthu.consumer': consumer,
      },
    },
    parent,
  );
  return inSpan(span, parent, work);
}

/**
 * The outbox relay's publication of events, one producer span each in the trace its event was created in, ended when
 * Kafka has acknowledged them (or the send failed).
 */
export async function inPublishSpans<T>(
  events: { topic: string; event: TracedEvent }[],
  work: () => Promise<T>,
): Promise<T> {
  const spans = events.map(({ topic, event }) =>
    tracer().startSpan(
      `publish ${event.type}`,
      { kind: SpanKind.PRODUCER, attributes: eventAttributes(event, topic, 'publish') },
      eventContext(event.extensions),
    ),
  );
  try {
    return await work();
  } catch (error) {
    for (const span of spans) span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    throw error;
  } finally {
    for (const span of spans) span.end();
  }
}

/**
 * Names the HTTP server span of each request after its route (`POST /v1/documents/:id/versions`, not `POST`) and
 * tags it with the request id that already travels in `x-request-id`, so a trace can be found from a log line or a
 * problem document and the other way round.
 */
export function installRequestTracing(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    const span = trace.getActiveSpan();
    if (!span?.isRecording()) return;
    const route = request.routeOptions.url;
    if (route) {
      span.updateName(`${request.method} ${route}`);
      span.setAttribute('http.route', route);
    }
    span.setAttribute('vanthu.request_id', request.id);
  });
}

/** Sends the spans still waiting in the SDK's batch before the process exits (nothing to do when tracing is off). */
export async function flushTraces(): Promise<void> {
  const provider = trace.getTracerProvider() as { getDelegate?: () => { forceFlush?: () => Promise<void> } };
  await provider.getDelegate?.().forceFlush?.();
}
