import { eventCatalogue } from './catalogue';
import type { EventDefinition } from './catalogue';

// The CloudEvents 1.0 Kafka binary-mode headers every message carries.
const cloudEventHeaders = {
  type: 'object',
  required: ['ce_specversion', 'ce_id', 'ce_source', 'ce_type', 'ce_time', 'content-type'],
  properties: {
    ce_specversion: { type: 'string', const: '1.0' },
    ce_id: { type: 'string', format: 'uuid', description: 'Unique event id; consumers de-duplicate on it.' },
    ce_source: { type: 'string', description: 'The publishing service, e.g. /vanthu/documents' },
    ce_type: { type: 'string', description: 'Event type with major version' },
    ce_time: { type: 'string', format: 'date-time' },
    ce_subject: { type: 'string', description: 'The aggregate id (also the Kafka key)' },
    ce_dataschema: { type: 'string', description: 'Identifier of the JSON Schema of the data' },
    ce_requestid: { type: 'string', description: 'Request id of the API call that caused the event' },
    ce_agency: { type: 'string', description: 'Mã định danh of the agency whose data changed' },
    ce_traceparent: {
      type: 'string',
      pattern: '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$',
      description:
        'W3C trace context of the work that created the event (CloudEvents distributed-tracing extension); present ' +
        'when the producing process exports OpenTelemetry traces',
    },
    ce_tracestate: { type: 'string', description: 'W3C tracestate that goes with ce_traceparent' },
    'content-type': { type: 'string', const: 'application/json' },
  },
} as const;

const messageId = (definition: EventDefinition): string => definition.type;
const channelId = (topic: string): string => topic.replace(/\./g, '-');

/** Builds the AsyncAPI 3.0 document from the event catalogue, so the two cannot drift. */
export function buildAsyncApiDocument(version: string): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};

  for (const definition of eventCatalogue) {
    const id = messageId(definition);
    messages[id] = {
      name: id,
      title: definition.type,
      summary: definition.description,
      contentType: 'application/json',
      headers: cloudEventHeaders,
      payload: JSON.parse(JSON.stringify(definition.schema)) as unknown,
      bindings: { kafka: { key: { type: 'string', description: `${definition.aggregate} id` } } },
    };
    const channel = channelId(definition.topic);
    const existing = channels[channel] as { messages: Record<string, unknown> } | undefined;
    const channelMessages = existing?.messages ?? {};
    channelMessages[id] = { $ref: `#/components/messages/${id}` };
    channels[channel] = {
      address: definition.topic,
      description: `Events of the ${definition.topic.split('.')[1] ?? definition.topic} service, keyed by aggregate id.`,
      messages: channelMessages,
    };
    operations[`publish-${id}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${channel}` },
      messages: [{ $ref: `#/channels/${channel}/messages/${id}` }],
    };
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'vanthu events',
      version,
      description:
        'Events published by vanthu services through their transactional outboxes. CloudEvents 1.0 in Kafka binary mode; the key is the aggregate id; binaries never travel in events.',
    },
    defaultContentType: 'application/json',
    servers: {
      local: { host: '127.0.0.1:9092', protocol: 'kafka', description: 'The local-process stack started by npm start' },
    },
    channels,
    operations,
    components: { messages },
  };
}
