/**
 * The SDK's wire types and response checks, both from the service's /openapi.json: the types
 * from generated/api.ts (openapi-typescript), the checks from generated/schemas.ts. An operation
 * is named as the document names it, `"METHOD /path"`, e.g. `"GET /api/v1/orgs/{orgId}"`.
 */
import type { components, paths } from "./generated/api.ts";
import { type OperationKey, responseSchemas } from "./generated/schemas.ts";
import { parseJson, type RawResponse } from "./http.ts";
import { checkSchema, type JsonSchema } from "./schema-check.ts";

export type { OperationKey };

/** A named schema of the document's `components`. */
export type Schema<N extends keyof components["schemas"]> = components["schemas"][N];

type Operation<K extends string> = K extends `${infer M} ${infer P}`
  ? P extends keyof paths
    ? Lowercase<M> extends keyof paths[P]
      ? paths[P][Lowercase<M>]
      : never
    : never
  : never;

type JsonContent<R> = R extends { content: { "application/json": infer B } } ? B : never;

/** The JSON body of an operation's answer with `status` (default 200). */
export type ResponseBody<K extends OperationKey, S extends number = 200> =
  Operation<K> extends { responses: infer R } ? (S extends keyof R ? JsonContent<R[S]> : never) : never;

/** The JSON body an operation takes. */
export type RequestBody<K extends string> = Operation<K> extends { requestBody?: infer B } ? JsonContent<NonNullable<B>> : never;

/** The query parameters an operation takes. */
export type Query<K extends string> = Operation<K> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

/** A JSON object whose fields have not been checked. */
export type JsonObject = { [key: string]: unknown };

/**
 * Decodes an answer of `operation`: parses the JSON and checks it against the schema of its
 * status (`relax` may first loosen that schema for the body at hand, see {@link withOptional}). A mismatch is a
 * `ShapeError`, which the transport turns into a `ResponseValidationError`.
 */
export function readBody<T>(operation: OperationKey, relax?: (schema: JsonSchema, body: unknown) => JsonSchema): (raw: RawResponse) => T {
  return (raw) => {
    const schemas = responseSchemas[operation];
    const schema = schemas[raw.response.status] ?? Object.values(schemas)[0]!;
    const body = parseJson(raw);
    checkSchema(body, relax ? relax(schema, body) : schema);
    return body as T;
  };
}

/**
 * `schema` with the fields at `paths` no longer required, for answers the SDK accepts with less
 * than this service sends (PipesHub's contract, or an older service). A path names properties
 * through objects, `[]` stepping into an array's items: `"user.fullName"`, `"records[].actor"`.
 */
export function withOptional(schema: JsonSchema, paths: readonly string[]): JsonSchema {
  let result = schema;
  for (const path of paths) result = dropRequired(result, path.split(/\.|(?=\[\])/));
  return result;
}

function dropRequired(schema: JsonSchema, steps: string[]): JsonSchema {
  const [step, ...rest] = steps as [string, ...string[]];
  if (step === "[]") return { ...schema, items: dropRequired(schema.items!, rest) };
  if (rest.length === 0) return { ...schema, required: schema.required?.filter((key) => key !== step) };
  const properties = schema.properties!;
  return { ...schema, properties: { ...properties, [step]: dropRequired(properties[step]!, rest) } };
}
