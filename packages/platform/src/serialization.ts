import fastJsonStringify from 'fast-json-stringify';

type Schema = Record<string, unknown>;

const isSchema = (value: unknown): value is Schema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isNull = (branch: Schema): boolean => branch.type === 'null' && Object.keys(branch).length === 1;
const primitiveType = (branch: Schema): string | undefined =>
  typeof branch.type === 'string' && branch.type !== 'null' && branch.anyOf === undefined && branch.$ref === undefined
    ? branch.type
    : undefined;

/**
 * The form of a union that fast-json-stringify writes without Ajv. It serialises `anyOf` by validating the value
 * against each branch with Ajv at run time (and re-resolves the branch's schema on every call), which made
 * serialising one `Document` a tenth of the documents service's CPU during a registration burst. The unions of our
 * TypeBox schemas are nearly all of two kinds, and both have an exact Ajv-free equivalent for *serialisation*:
 * literals of one type (`'upload' | 'signature'`) → `{ type: 'string', enum }`, and `X | null` with X of one
 * type → `{ ...X, type: [X.type, 'null'] }`. Any other union is left as it is. Validation, and the published
 * OpenAPI document, keep the original schemas: this copy only shapes the JSON text of responses.
 */
function simplifyUnion(branches: Schema[], rest: Schema): Schema | undefined {
  const nullable = branches.some(isNull);
  const others = branches.filter((branch) => !isNull(branch));
  if (others.length === 0) return undefined;
  const types = new Set(others.map(primitiveType));
  const type = [...types][0];
  if (types.size !== 1 || type === undefined) return undefined;
  if (others.length === 1) {
    const only = others[0] as Schema;
    return { ...only, ...rest, type: nullable ? [type, 'null'] : type };
  }
  if (
    !others.every(
      (branch) => branch.const !== undefined && Object.keys(branch).every((k) => k === 'const' || k === 'type'),
    )
  )
    return undefined;
  const values = others.map((branch) => branch.const);
  return { ...rest, type: nullable ? [type, 'null'] : type, enum: nullable ? [...values, null] : values };
}

/** A deep copy of a response schema with its unions in the Ajv-free form above. */
export function forSerialization(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(forSerialization);
  if (!isSchema(schema)) return schema;
  const copy: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'properties' || key === 'patternProperties' || key === '$defs' || key === 'definitions') {
      copy[key] = isSchema(value)
        ? Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, forSerialization(sub)]))
        : value;
    } else if (
      key === 'items' ||
      key === 'additionalProperties' ||
      key === 'anyOf' ||
      key === 'oneOf' ||
      key === 'allOf'
    ) {
      copy[key] = forSerialization(value);
    } else {
      copy[key] = value;
    }
  }
  const union = (copy.anyOf ?? copy.oneOf) as Schema[] | undefined;
  if (Array.isArray(union) && union.every(isSchema)) {
    const { anyOf: _anyOf, oneOf: _oneOf, ...rest } = copy;
    return simplifyUnion(union, rest) ?? copy;
  }
  return copy;
}

type SerializerRoute = { schema?: unknown };

/**
 * fastify's `schemaController.compilersFactory.buildSerializer`: the default fast-json-stringify compiler, given
 * the Ajv-free copies of the route's response schema and of the shared schemas (`Problem`, …) it references.
 */
export function buildResponseSerializer(
  externalSchemas: unknown,
  serializerOptions: unknown,
): (route: SerializerRoute) => (data: unknown) => string {
  const shared = isSchema(externalSchemas)
    ? Object.fromEntries(Object.entries(externalSchemas).map(([id, schema]) => [id, forSerialization(schema)]))
    : undefined;
  return ({ schema }) => {
    const own = forSerialization(schema) as Schema;
    // As fastify's own compiler does: a schema that is itself shared is not passed twice.
    let references = shared;
    if (shared && typeof own.$id === 'string' && shared[own.$id] !== undefined) {
      references = { ...shared };
      delete references[own.$id];
    }
    const options = {
      ...(isSchema(serializerOptions) ? serializerOptions : {}),
      ...(references ? { schema: references } : {}),
    };
    const serialize: unknown = fastJsonStringify(own as never, options as never);
    return serialize as (data: unknown) => string;
  };
}
