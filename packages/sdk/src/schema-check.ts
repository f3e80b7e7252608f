/**
 * A small, dependency-free check of a response body against its operation's schema in the
 * service's /openapi.json (as `npm run generate` writes it into generated/schemas.ts): no
 * response field is trusted without a check. It reads the JSON Schema keywords the service's
 * routes use: type, nullable, enum, anyOf, required, properties, items, additionalProperties.
 * Fields a schema does not name pass through unchecked, so a newer service can add some; an
 * optional field sent as null is removed, so that the body matches its generated type.
 */

/** The part of a JSON Schema (OpenAPI 3.0) this module checks. */
export interface JsonSchema {
  type?: string;
  nullable?: boolean;
  enum?: readonly unknown[];
  anyOf?: readonly JsonSchema[];
  required?: readonly string[];
  properties?: Readonly<Record<string, JsonSchema>>;
  items?: JsonSchema;
  additionalProperties?: JsonSchema;
}

/** Thrown when a body does not match its schema; the transport turns it into a `ResponseValidationError`. */
export class ShapeError extends Error {
  override name = "ShapeError";
}

/** Checks `value` against `schema`; throws a {@link ShapeError} naming the first mismatch's path. */
export function checkSchema(value: unknown, schema: JsonSchema, path = "response"): void {
  if (value === null && schema.nullable) return;
  if (schema.anyOf) return checkAnyOf(value, schema.anyOf, path);
  if (schema.type !== undefined && !hasType(value, schema.type)) {
    const wanted = schema.type === "object" || schema.type === "array" ? `an ${schema.type}` : expected(schema);
    throw new ShapeError(`${path}: expected ${wanted}, got ${describe(value)}`);
  }
  if (schema.enum && !schema.enum.includes(value)) {
    throw new ShapeError(`${path}: expected ${expected(schema)}, got ${JSON.stringify(value)}`);
  }
  if (Array.isArray(value) && schema.items) value.forEach((item, index) => checkSchema(item, schema.items!, `${path}[${index}]`));
  if (typeof value !== "object" || value === null || Array.isArray(value)) return;
  const object = value as Record<string, unknown>;
  const required = new Set(schema.required);
  for (const [key, fieldSchema] of Object.entries(schema.properties ?? {})) {
    // An optional field sent as null (as PipesHub's servers may) is read as absent.
    if (object[key] === null && !required.has(key) && !fieldSchema.nullable) delete object[key];
    if (object[key] !== undefined) checkSchema(object[key], fieldSchema, `${path}.${key}`);
    else if (required.has(key)) throw new ShapeError(`${path}.${key}: required ${expected(fieldSchema)} is missing`);
  }
  for (const key of required) {
    if (object[key] === undefined) throw new ShapeError(`${path}.${key}: required value is missing`);
  }
  if (schema.additionalProperties) {
    for (const [key, field] of Object.entries(object)) {
      if (!schema.properties?.[key]) checkSchema(field, schema.additionalProperties, `${path}.${key}`);
    }
  }
}

/** The first branch `value` matches; else the error of the branch it came closest to (most of its required fields present). */
function checkAnyOf(value: unknown, branches: readonly JsonSchema[], path: string): void {
  const failures: { error: ShapeError; score: number }[] = [];
  for (const branch of branches) {
    try {
      return checkSchema(value, branch, path);
    } catch (error) {
      if (!(error instanceof ShapeError)) throw error;
      const present = (branch.required ?? []).filter((key) => (value as Record<string, unknown> | null)?.[key] !== undefined);
      failures.push({ error, score: typeof value === "object" ? present.length : 0 });
    }
  }
  if (branches.every((branch) => branch.enum)) {
    throw new ShapeError(
      `${path}: expected one of ${branches.flatMap((branch) => branch.enum!.map((v) => JSON.stringify(v))).join(", ")}, got ${JSON.stringify(value)}`,
    );
  }
  throw failures.reduce((best, next) => (next.score > best.score ? next : best)).error;
}

function hasType(value: unknown, type: string): boolean {
  if (type === "integer") return Number.isSafeInteger(value);
  if (type === "number") return typeof value === "number" && Number.isFinite(value);
  if (type === "array") return Array.isArray(value);
  if (type === "object") return typeof value === "object" && value !== null && !Array.isArray(value);
  if (type === "null") return value === null;
  return typeof value === type;
}

/** What a schema expects, in words: its type, its one value, or its values. */
function expected(schema: JsonSchema | undefined): string {
  if (schema?.enum)
    return schema.enum.length === 1 ? JSON.stringify(schema.enum[0]) : `one of ${schema.enum.map((v) => JSON.stringify(v)).join(", ")}`;
  if (schema?.type === "array" && schema.items?.type && !schema.items.properties) return `${schema.items.type}[]`;
  const types = new Set(schema?.anyOf?.map((branch) => branch.type));
  return schema?.type ?? (types.size === 1 ? [...types][0]! : "value");
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}
