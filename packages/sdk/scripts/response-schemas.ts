// The response half of `npm run generate`: the JSON body schema of every 2xx answer of every
// operation in /openapi.json, as the SDK's validator (src/schema-check.ts) reads them. `$ref`s
// are resolved in place and only the keywords the validator checks are kept, so the generated
// module is plain data with no runtime dependency.

type Schema = Record<string, unknown>;

/** The keywords src/schema-check.ts understands; the rest (descriptions, formats, bounds) are dropped. */
const CHECKED = ["type", "nullable", "enum", "anyOf", "required", "properties", "items", "additionalProperties"] as const;

/** `components.schemas` lookups for `#/components/schemas/<name>` references. */
function resolver(document: Schema): (ref: string) => Schema {
  const schemas = ((document.components as Schema | undefined)?.schemas ?? {}) as Record<string, Schema>;
  return (ref) => {
    const name = ref.replace(/^#\/components\/schemas\//, "");
    const schema = schemas[name];
    if (!schema || name === ref) throw new Error(`/openapi.json: cannot resolve ${ref}`);
    return schema;
  };
}

/** `schema` reduced to the checked keywords, references resolved. */
function reduce(schema: Schema, resolve: (ref: string) => Schema): Schema {
  if (typeof schema.$ref === "string") return reduce(resolve(schema.$ref), resolve);
  const out: Schema = {};
  for (const key of CHECKED) {
    const value = schema[key];
    if (value === undefined) continue;
    if (key === "properties") {
      const properties = value as Record<string, Schema>;
      out.properties = Object.fromEntries(Object.keys(properties).map((name) => [name, reduce(properties[name]!, resolve)]));
    } else if (key === "items") out.items = reduce(value as Schema, resolve);
    else if (key === "anyOf") out.anyOf = (value as Schema[]).map((branch) => reduce(branch, resolve));
    // `false` is not checked: a field this SDK does not know yet passes through, as elsewhere.
    else if (key === "additionalProperties") {
      if (typeof value === "object" && value !== null) out.additionalProperties = reduce(value as Schema, resolve);
    } else out[key] = value;
  }
  return out;
}

/** `"METHOD /path"` → status → the JSON body schema of each 2xx answer that has one. */
export function responseSchemas(document: Schema): Record<string, Record<string, Schema>> {
  const resolve = resolver(document);
  const operations: Record<string, Record<string, Schema>> = {};
  for (const [path, item] of Object.entries(document.paths as Record<string, Record<string, Schema>>)) {
    for (const [method, operation] of Object.entries(item)) {
      const responses = (operation.responses ?? {}) as Record<string, Schema>;
      for (const [status, response] of Object.entries(responses)) {
        const schema = ((response.content as Schema | undefined)?.["application/json"] as Schema | undefined)?.schema;
        if (!/^2\d\d$/.test(status) || schema === undefined) continue;
        (operations[`${method.toUpperCase()} ${path}`] ??= {})[status] = reduce(schema as Schema, resolve);
      }
    }
  }
  return Object.fromEntries(
    Object.keys(operations)
      .sort()
      .map((key) => [key, operations[key]!]),
  );
}

/** The text of src/generated/schemas.ts. */
export function responseSchemasSource(header: string, document: Schema): string {
  const schemas = responseSchemas(document);
  const keys = Object.keys(schemas);
  return `${header}import type { JsonSchema } from "../schema-check.ts";

/** Every operation with a JSON success body, as \`"METHOD /path"\` of /openapi.json. */
export type OperationKey =
${keys.map((key) => `  | ${JSON.stringify(key)}`).join("\n")};

/** Each operation's success bodies by HTTP status. */
export const responseSchemas: Readonly<Record<OperationKey, Readonly<Record<string, JsonSchema>>>> = ${JSON.stringify(schemas, null, 2)};
`;
}
