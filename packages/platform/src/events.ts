import { randomUUID } from 'node:crypto';
import type { IHeaders } from 'kafkajs';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { TypeCheck } from '@sinclair/typebox/compiler';
import type { TObject } from '@sinclair/typebox';
import type { EventDefinition } from '@vanthu/contracts';
import { AppError } from './errors';
import { traceContextExtensions } from './tracing';
import './formats';

/** A CloudEvents 1.0 event with JSON data (https://github.com/cloudevents/spec). */
export type CloudEvent<T = unknown> = {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  time: string;
  subject?: string;
  datacontenttype: 'application/json';
  dataschema?: string;
  data: T;
  /** Extension attributes (lowercase alphanumeric names): requestid, agency, traceparent and tracestate. */
  extensions: Record<string, string>;
};

export type EventContext = { source: string; requestId?: string; agencyCode?: string };

const validators = new Map<string, TypeCheck<TObject>>();

function validatorFor(definition: EventDefinition): TypeCheck<TObject> {
  let check = validators.get(definition.type);
  if (!check) {
    check = TypeCompiler.Compile(definition.schema);
    validators.set(definition.type, check);
  }
  return check;
}

/** Throws when data does not match the published schema: a producer never emits an off-contract event. */
export function assertEventData(definition: EventDefinition, data: unknown): void {
  const check = validatorFor(definition);
  if (!check.Check(data)) {
    const first = [...check.Errors(data)].slice(0, 5).map((e) => `${e.path || '/'} ${e.message}`);
    throw new AppError('INTERNAL', `event ${definition.type} does not match its schema: ${first.join('; ')}`);
  }
}

export function isValidEventData(definition: EventDefinition, data: unknown): boolean {
  return validatorFor(definition).Check(data);
}

export function createEvent<T>(
  definition: EventDefinition,
  subject: string,
  data: T,
  context: EventContext,
): CloudEvent<T> {
  assertEventData(definition, data);
  const extensions: Record<string, string> = {};
  if (context.requestId) extensions.requestid = context.requestId;
  if (context.agencyCode) extensions.agency = context.agencyCode;
  Object.assign(extensions, traceContextExtensions());
  return {
    specversion: '1.0',
    id: randomUUID(),
    source: context.source,
    type: definition.type,
    time: new Date().toISOString(),
    subject,
    datacontenttype: 'application/json',
    dataschema: `urn:vanthu:schema:${definition.type}`,
    data,
    extensions,
  };
}

/** CloudEvents Kafka protocol binding, binary content mode: attributes as ce_ headers, data as value. */
export function toKafkaHeaders(event: CloudEvent): IHeaders {
  const headers: IHeaders = {
    ce_specversion: event.specversion,
    ce_id: event.id,
    ce_source: event.source,
    ce_type: event.type,
    ce_time: event.time,
    'content-type': event.datacontenttype,
  };
  if (event.subject !== undefined) headers.ce_subject = event.subject;
  if (event.dataschema !== undefined) headers.ce_dataschema = event.dataschema;
  for (const [name, value] of Object.entries(event.extensions)) headers[`ce_${name}`] = value;
  return headers;
}

const headerText = (headers: IHeaders, name: string): string | undefined => {
  const value = headers[name];
  if (value === undefined) return undefined;
  const single = Array.isArray(value) ? value[0] : value;
  return single === undefined ? undefined : Buffer.isBuffer(single) ? single.toString('utf8') : String(single);
};

/**
 * What a trace needs of a message (its id, type and trace-context attributes), read from its headers alone: cheaper
 * than parsing it, for a consumer that opens one span over many messages before it reads them.
 */
export function tracedEventOf(
  headers: IHeaders | undefined,
): { id: string; type: string; extensions: Record<string, string> } | undefined {
  if (!headers) return undefined;
  const id = headerText(headers, 'ce_id');
  const type = headerText(headers, 'ce_type');
  if (id === undefined || type === undefined) return undefined;
  const extensions: Record<string, string> = {};
  for (const name of ['traceparent', 'tracestate', 'requestid']) {
    const text = headerText(headers, `ce_${name}`);
    if (text !== undefined) extensions[name] = text;
  }
  return { id, type, extensions };
}

/** Parses a binary-mode message; throws a descriptive Error when it is not a CloudEvent we can read. */
export function fromKafkaMessage(headers: IHeaders | undefined, value: Buffer | null): CloudEvent {
  if (!headers) throw new Error('message has no CloudEvents headers');
  const required = ['ce_specversion', 'ce_id', 'ce_source', 'ce_type', 'ce_time'] as const;
  const attributes: Record<string, string> = {};
  for (const name of required) {
    const text = headerText(headers, name);
    if (text === undefined) throw new Error(`message lacks header ${name}`);
    attributes[name] = text;
  }
  if (attributes.ce_specversion !== '1.0')
    throw new Error(`unsupported CloudEvents specversion ${attributes.ce_specversion}`);
  if (value === null) throw new Error('message has no data');
  const data = JSON.parse(value.toString('utf8')) as unknown;
  const extensions: Record<string, string> = {};
  for (const name of Object.keys(headers)) {
    if (!name.startsWith('ce_') || required.includes(name as (typeof required)[number])) continue;
    if (name === 'ce_subject' || name === 'ce_dataschema') continue;
    const text = headerText(headers, name);
    if (text !== undefined) extensions[name.slice(3)] = text;
  }
  const event: CloudEvent = {
    specversion: '1.0',
    id: attributes.ce_id as string,
    source: attributes.ce_source as string,
    type: attributes.ce_type as string,
    time: attributes.ce_time as string,
    datacontenttype: 'application/json',
    data,
    extensions,
  };
  const subject = headerText(headers, 'ce_subject');
  if (subject !== undefined) event.subject = subject;
  const dataschema = headerText(headers, 'ce_dataschema');
  if (dataschema !== undefined) event.dataschema = dataschema;
  return event;
}
