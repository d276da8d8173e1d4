import { documentCreatedV1 } from '@vanthu/contracts';
import type { DocumentCreatedV1 } from '@vanthu/contracts';
import { createEvent, fromKafkaMessage, toKafkaHeaders } from '../src/events';

const data: DocumentCreatedV1 = {
  documentId: '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f',
  agencyCode: '000.00.31.H99',
  direction: 'outgoing',
  subject: 'Về việc triển khai chữ ký số chuyên dùng công vụ',
  version: 1,
  sha256: 'a'.repeat(64),
  mediaType: 'application/pdf',
  sizeBytes: 1234,
  createdBy: 'u1',
  createdAt: '2026-11-22T09:00:00.000Z',
};

describe('CloudEvents binary mode', () => {
  it('round-trips attributes, extensions and Vietnamese data through Kafka headers', () => {
    const event = createEvent(documentCreatedV1, data.documentId, data, {
      source: '/vanthu/documents',
      requestId: 'req-abcdef12',
      agencyCode: data.agencyCode,
    });
    const headers = toKafkaHeaders(event);
    expect(headers.ce_specversion).toBe('1.0');
    expect(headers.ce_type).toBe('vn.vanthu.document.created.v1');
    const bufferHeaders = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(String(v))]));
    const parsed = fromKafkaMessage(bufferHeaders, Buffer.from(JSON.stringify(event.data)));
    expect(parsed).toEqual(event);
    expect((parsed.data as DocumentCreatedV1).subject).toBe('Về việc triển khai chữ ký số chuyên dùng công vụ');
  });

  it('refuses to create an event that does not match its schema', () => {
    expect(() => createEvent(documentCreatedV1, 'x', { ...data, sha256: 'not-a-hash' }, { source: '/t' })).toThrow(
      /does not match its schema/,
    );
    expect(() => createEvent(documentCreatedV1, 'x', { ...data, extra: 1 }, { source: '/t' })).toThrow(
      /does not match its schema/,
    );
  });

  it('rejects messages that are not CloudEvents', () => {
    expect(() => fromKafkaMessage(undefined, Buffer.from('{}'))).toThrow(/no CloudEvents headers/);
    expect(() => fromKafkaMessage({ ce_specversion: '1.0' }, Buffer.from('{}'))).toThrow(/lacks header ce_id/);
    expect(() =>
      fromKafkaMessage(
        { ce_specversion: '0.3', ce_id: '1', ce_source: 's', ce_type: 't', ce_time: 'now' },
        Buffer.from('{}'),
      ),
    ).toThrow(/specversion/);
  });
});
