// A validator for the subset of JSON Schema 2020-12 that plan.schema.json uses ($ref into
// $defs, type, const, enum, pattern, minimum, required, properties, additionalProperties,
// propertyNames, items, minItems, minProperties, oneOf, anyOf). No dependency needed.

export type Schema = { readonly [key: string]: unknown };

const TYPES: Record<string, (v: unknown) => boolean> = {
  object: (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  array: (v) => Array.isArray(v),
  string: (v) => typeof v === 'string',
  integer: (v) => typeof v === 'number' && Number.isInteger(v),
  number: (v) => typeof v === 'number' && Number.isFinite(v),
  boolean: (v) => typeof v === 'boolean',
  null: (v) => v === null,
};

/** Every violation of `schema` by `value`, as 'path: problem' lines (empty when valid). */
export function schemaErrors(value: unknown, schema: Schema, root: Schema = schema, where = '$'): string[] {
  if (typeof schema.$ref === 'string') {
    const target = (schema.$ref as string).replace(/^#\//, '').split('/').reduce<unknown>((node, key) => (node as Schema)[key], root);
    const found = schemaErrors(value, target as Schema, root, where);
    if (found.length > 0) return found;
  }
  if ('const' in schema && value !== schema.const) return [`${where}: must be ${JSON.stringify(schema.const)}`];
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) return [`${where}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`];
  if (schema.type !== undefined) {
    const kinds = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    if (!kinds.some((k) => TYPES[k]?.(value))) return [`${where}: must be ${kinds.join(' or ')}`];
  }
  for (const key of ['oneOf', 'anyOf'] as const) {
    const branches = schema[key] as Schema[] | undefined;
    if (branches === undefined) continue;
    const ok = branches.filter((b) => schemaErrors(value, b, root, where).length === 0).length;
    if (ok === 0 || (key === 'oneOf' && ok > 1)) return [`${where}: matches ${ok} of the ${key} forms`];
  }
  if (typeof value === 'string' && typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) {
    return [`${where}: ${JSON.stringify(value)} does not match ${schema.pattern}`];
  }
  if (typeof value === 'number' && typeof schema.minimum === 'number' && value < schema.minimum) return [`${where}: below ${schema.minimum}`];
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) return [`${where}: fewer than ${schema.minItems} items`];
    return schema.items === undefined ? [] : value.flatMap((item, i) => schemaErrors(item, schema.items as Schema, root, `${where}[${i}]`));
  }
  if (TYPES.object!(value)) return objectErrors(value as Record<string, unknown>, schema, root, where);
  return [];
}

function objectErrors(value: Record<string, unknown>, schema: Schema, root: Schema, where: string): string[] {
  const found: string[] = [];
  for (const key of (schema.required as string[] | undefined) ?? []) if (!(key in value)) found.push(`${where}: missing '${key}'`);
  if (typeof schema.minProperties === 'number' && Object.keys(value).length < schema.minProperties) found.push(`${where}: too few properties`);
  const props = (schema.properties as Record<string, Schema> | undefined) ?? {};
  const extra = schema.additionalProperties;
  for (const [key, item] of Object.entries(value)) {
    if (schema.propertyNames !== undefined) found.push(...schemaErrors(key, schema.propertyNames as Schema, root, `${where}{${key}}`));
    if (key in props) found.push(...schemaErrors(item, props[key]!, root, `${where}.${key}`));
    else if (extra === false) found.push(`${where}: unknown property '${key}'`);
    else if (typeof extra === 'object' && extra !== null) found.push(...schemaErrors(item, extra as Schema, root, `${where}.${key}`));
  }
  return found;
}
