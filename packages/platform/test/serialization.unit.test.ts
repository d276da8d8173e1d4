import fastJsonStringify from 'fast-json-stringify';
import { Type } from '@sinclair/typebox';
import fc from 'fast-check';
import { buildResponseSerializer, forSerialization } from '../src/serialization';

// A response shaped like documents' Document: nullable strings and objects, literal unions, arrays of them.
const Version = Type.Object({
  version: Type.Integer(),
  kind: Type.Union([Type.Literal('upload'), Type.Literal('signature'), Type.Literal('conversion')]),
  fileName: Type.Union([Type.String(), Type.Null()]),
});
const Shaped = Type.Object({
  id: Type.String(),
  urgency: Type.Union([Type.Literal('normal'), Type.Literal('urgent')], { description: 'độ khẩn' }),
  description: Type.Union([Type.String(), Type.Null()]),
  registration: Type.Union([Type.Object({ number: Type.Integer(), notation: Type.String() }), Type.Null()]),
  versions: Type.Array(Version),
  either: Type.Union([Type.String(), Type.Integer()]),
});

const value = fc.record({
  id: fc.string(),
  urgency: fc.constantFrom('normal', 'urgent'),
  description: fc.option(fc.string(), { nil: null }),
  registration: fc.option(fc.record({ number: fc.integer(), notation: fc.string() }), { nil: null }),
  versions: fc.array(
    fc.record({
      version: fc.integer(),
      kind: fc.constantFrom('upload', 'signature', 'conversion'),
      fileName: fc.option(fc.string(), { nil: null }),
    }),
  ),
  either: fc.oneof(fc.string(), fc.integer()),
});

describe('response serialisation without Ajv', () => {
  const ours = buildResponseSerializer({}, {})({ schema: Shaped });
  const reference = fastJsonStringify(Shaped);

  it('writes exactly what the default fast-json-stringify writes', () => {
    fc.assert(fc.property(value, (v) => ours(v) === reference(v)));
  });

  it('drops properties the schema does not declare, as before', () => {
    const v = { id: 'a', urgency: 'normal', description: null, registration: null, versions: [], either: 1 };
    expect(JSON.parse(ours({ ...v, secret: 'x' }))).toEqual(v);
  });

  it('rewrites only the unions it can write without Ajv, and never the original schema', () => {
    const copy = forSerialization(Shaped) as { properties: Record<string, Record<string, unknown>> };
    expect(copy.properties.urgency).toEqual({ type: 'string', enum: ['normal', 'urgent'], description: 'độ khẩn' });
    expect(copy.properties.description).toEqual({ type: ['string', 'null'] });
    expect(copy.properties.registration?.type).toEqual(['object', 'null']);
    // Two types that are not "X or null" stay a union.
    expect(copy.properties.either?.anyOf).toHaveLength(2);
    expect(Shaped.properties.description.anyOf).toHaveLength(2);
  });
});
