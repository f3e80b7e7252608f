/**
 * A small, dependency-free reader for response bodies. A shape names each field's type;
 * {@link readShape} checks a value against it and returns it typed, so no response field
 * is trusted without a check. Optional fields (`"string?"`) may be absent or `null`.
 */

/** A JSON object whose fields have not been checked. */
export type JsonObject = { [key: string]: unknown };

type BaseType = "string" | "number" | "integer" | "boolean" | "string[]" | "object" | "array";
type FieldSpec = BaseType | `${BaseType}?`;
/** Field name → expected type. */
export type Shape = Readonly<Record<string, FieldSpec>>;

type TypeOf<T extends BaseType> = T extends "string"
  ? string
  : T extends "number" | "integer"
    ? number
    : T extends "boolean"
      ? boolean
      : T extends "string[]"
        ? string[]
        : T extends "object"
          ? JsonObject
          : unknown[];
type BaseOf<T extends FieldSpec> = T extends `${infer B extends BaseType}?` ? B : T extends BaseType ? T : never;
type RequiredKeys<S extends Shape> = { [K in keyof S]: S[K] extends `${string}?` ? never : K }[keyof S];
type OptionalKeys<S extends Shape> = Exclude<keyof S, RequiredKeys<S>>;

/** The TypeScript type a {@link Shape} describes, plus any fields it does not name. */
export type Infer<S extends Shape> = { [K in RequiredKeys<S>]: TypeOf<BaseOf<S[K]>> } & {
  [K in OptionalKeys<S>]?: TypeOf<BaseOf<S[K]>> | null;
} & JsonObject;

/** Thrown when a value does not match its shape; the transport turns it into a `ResponseValidationError`. */
export class ShapeError extends Error {
  override name = "ShapeError";
}

/** Checks that `value` is a JSON object (not an array, not null). */
export function readObject(value: unknown, path: string): JsonObject {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ShapeError(`${path}: expected an object, got ${describe(value)}`);
  }
  return value as JsonObject;
}

/** Checks `value` against `shape` and returns it typed; unnamed fields pass through unchecked. */
export function readShape<S extends Shape>(value: unknown, shape: S, path = "response"): Infer<S> {
  const object = readObject(value, path);
  for (const [key, spec] of Object.entries(shape)) {
    const optional = spec.endsWith("?");
    const type = (optional ? spec.slice(0, -1) : spec) as BaseType;
    const field = object[key];
    if (field === undefined || field === null) {
      if (optional) continue;
      throw new ShapeError(`${path}.${key}: required ${type} is missing`);
    }
    if (!hasType(field, type)) {
      throw new ShapeError(`${path}.${key}: expected ${type}, got ${describe(field)}`);
    }
  }
  return object as Infer<S>;
}

/** Checks that `value` is an array and reads each item with `readItem`. */
export function readArray<T>(value: unknown, path: string, readItem: (item: unknown, path: string) => T): T[] {
  if (!Array.isArray(value)) throw new ShapeError(`${path}: expected an array, got ${describe(value)}`);
  return value.map((item, index) => readItem(item, `${path}[${index}]`));
}

function hasType(value: unknown, type: BaseType): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "integer":
      return Number.isSafeInteger(value);
    case "boolean":
      return typeof value === "boolean";
    case "string[]":
      return Array.isArray(value) && value.every((item) => typeof item === "string");
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    case "array":
      return Array.isArray(value);
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}
