import { buildAsyncApiDocument, eventCatalogue, topics } from '../src';

describe('AsyncAPI document', () => {
  const document = buildAsyncApiDocument('9.9.9') as {
    asyncapi: string;
    channels: Record<string, { address: string; messages: Record<string, { $ref: string }> }>;
    operations: Record<string, { action: string; channel: { $ref: string } }>;
    components: {
      messages: Record<string, { payload: { $id?: string; properties: object }; headers: { required: string[] } }>;
    };
  };

  it('is AsyncAPI 3.0 and lists every catalogued event with its schema and CloudEvents headers', () => {
    expect(document.asyncapi).toBe('3.0.0');
    for (const definition of eventCatalogue) {
      const message = document.components.messages[definition.type];
      expect(message).toBeDefined();
      expect(message?.payload.$id).toBe(definition.type);
      expect(message?.headers.required).toEqual(
        expect.arrayContaining(['ce_id', 'ce_type', 'ce_source', 'ce_specversion']),
      );
      expect(document.operations[`publish-${definition.type}`]?.action).toBe('send');
    }
  });

  it('resolves every $ref inside the document', () => {
    const text = JSON.stringify(document);
    for (const match of text.matchAll(/"\$ref":"#\/([^"]+)"/g)) {
      const target = (match[1] as string)
        .split('/')
        .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], document);
      expect(target).toBeDefined();
    }
  });

  it('uses only known topics and reverse-DNS, major-versioned types', () => {
    const known = Object.values(topics) as string[];
    for (const definition of eventCatalogue) {
      expect(known).toContain(definition.topic);
      expect(definition.type).toMatch(/^vn\.vanthu\.[a-z-]+(\.[a-z-]+)+\.v\d+$/);
    }
  });
});
