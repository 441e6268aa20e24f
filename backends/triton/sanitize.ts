// Model strings (node, value and initializer names, symbol names) are data, never code:
// generated Triton source uses only identifiers minted here, and model text reaches it,
// if at all, as an escaped one-line comment. Plan names get the schema's safe alphabet.

const PLAN_NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;
const MAX_NAME = 80;

/** A plan.json name (buffer, weight, io) built from a model string: [A-Za-z_][A-Za-z0-9_.]*, unique in `taken`. */
export function planName(raw: string, taken: Set<string>, fallback = 'v'): string {
  let base = raw.replace(/[^A-Za-z0-9_.]/g, '_').replace(/\.{2,}/g, '.').slice(0, MAX_NAME);
  if (base === '' || !/^[A-Za-z_]/.test(base)) base = `${fallback}_${base}`;
  let name = base;
  for (let i = 1; taken.has(name); i++) name = `${base}_${i}`;
  taken.add(name);
  if (!PLAN_NAME.test(name)) throw new Error(`planName produced an unsafe name '${name}'`);
  return name;
}

/** True when a model string can be used as a plan name unchanged. */
export function isPlanName(raw: string): boolean {
  return PLAN_NAME.test(raw) && raw.length <= MAX_NAME;
}

/** Model text made safe for a single-line Python comment: printable ASCII only, no quotes runs, bounded. */
export function commentText(raw: string): string {
  const flat = raw.replace(/[^\x20-\x7e]/g, '?').replace(/["'`\\]/g, '_');
  return flat.length > 60 ? `${flat.slice(0, 57)}...` : flat;
}

/** A one-line provenance string for plan.json (JSON escapes it; this keeps it to one line). */
export function provenance(raw: string): string {
  const flat = raw.replace(/[\x00-\x1f\x7f]/g, ' ');
  return flat.length > 200 ? `${flat.slice(0, 197)}...` : flat;
}

/** Python/Triton identifiers the generator mints are all of this form. */
export const GENERATED_IDENTIFIER = /^[a-z][a-z0-9_]*$/;
