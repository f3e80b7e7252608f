/**
 * Compares the SDK's TypeScript types with the service's OpenAPI document. Both sides are
 * reduced to one small model (strings with or without a fixed set of values, numbers,
 * booleans, arrays, objects with required and optional properties, unions, "anything"),
 * then compared per operation: property names, required-ness, nullability and types.
 *
 * The SDK side is read with the TypeScript compiler from type expressions over the SDK's
 * exports (`sdk.Org`, `Without<sdk.InitAuthResponse, "sessionToken">`…), so what is checked is
 * exactly what the SDK exports, not a copy of it.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

/** A type, as either side describes it. `nullable`: null is a value too. */
export type Model = (
  | { kind: "any" }
  | { kind: "string"; /** The allowed values; undefined: any string. */ values: readonly string[] | undefined }
  | { kind: "number" }
  | { kind: "boolean" }
  | { kind: "null" }
  | { kind: "array"; items: Model }
  | {
      kind: "object";
      properties: ReadonlyMap<string, Property>;
      /** The type of properties not named (a record's values), if any is given. */ additional: Model | undefined;
    }
  | { kind: "union"; members: readonly Model[] }
) & { nullable?: boolean };

export interface Property {
  model: Model;
  required: boolean;
}

/** Which way data flows: the SDK sends a request (the service must accept it), or reads a response (it must accept the service's). */
export type Direction = "request" | "response";

// ---------------------------------------------------------------------------------------------
// The service's side: JSON Schema as OpenAPI 3.0 writes it (the subset @fastify/swagger emits).

/** A JSON Schema object of the OpenAPI document (a loose view: only the keywords read here). */
export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  nullable?: boolean;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  patternProperties?: Record<string, JsonSchema>;
}

/** The model of `schema`; `$ref`s resolve against `document`. */
export function schemaModel(schema: JsonSchema, document: unknown): Model {
  if (schema.$ref !== undefined) return schemaModel(resolveRef(schema.$ref, document), document);
  const nullable = schema.nullable === true;
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants)
    return unionOf(
      variants.map((variant) => schemaModel(variant, document)),
      nullable,
    );
  const types = Array.isArray(schema.type) ? schema.type : schema.type === undefined ? [] : [schema.type];
  if (types.length > 1)
    return unionOf(
      types.map((type) => schemaModel({ ...schema, type }, document)),
      nullable,
    );
  const type = types[0] ?? (schema.properties ? "object" : undefined);
  switch (type) {
    case "string": {
      const values = schema.enum ?? (schema.const === undefined ? undefined : [schema.const]);
      return { kind: "string", values: values?.map(String), nullable };
    }
    case "integer":
    case "number":
      return { kind: "number", nullable };
    case "boolean":
      return { kind: "boolean", nullable };
    case "null":
      return { kind: "null" };
    case "array":
      return { kind: "array", items: schema.items ? schemaModel(schema.items, document) : { kind: "any" }, nullable };
    case "object": {
      const required = new Set(schema.required ?? []);
      const properties = new Map<string, Property>();
      for (const [name, property] of Object.entries(schema.properties ?? {})) {
        properties.set(name, { model: schemaModel(property, document), required: required.has(name) });
      }
      const patterns = Object.values(schema.patternProperties ?? {});
      const extra =
        typeof schema.additionalProperties === "object" ? schema.additionalProperties : patterns.length === 1 ? patterns[0] : undefined;
      return { kind: "object", properties, additional: extra ? schemaModel(extra, document) : undefined, nullable };
    }
    default:
      return { kind: "any" };
  }
}

function resolveRef(ref: string, document: unknown): JsonSchema {
  if (!ref.startsWith("#/")) throw new Error(`only local $refs are supported, got ${ref}`);
  let node: unknown = document;
  for (const part of ref.slice(2).split("/"))
    node = (node as Record<string, unknown> | undefined)?.[part.replaceAll("~1", "/").replaceAll("~0", "~")];
  if (node === undefined) throw new Error(`unresolved $ref ${ref}`);
  return node as JsonSchema;
}

/** A union, simplified: null becomes `nullable`, string values merge, a single member stands alone. */
function unionOf(members: readonly Model[], nullable: boolean): Model {
  const values = members.filter((member) => member.kind !== "null");
  const isNullable = nullable || values.length < members.length || values.some((member) => member.nullable === true);
  const strings = values.filter((member) => member.kind === "string");
  if (values.length > 0 && strings.length === values.length) {
    const open = strings.some((member) => member.values === undefined);
    return {
      kind: "string",
      values: open ? undefined : [...new Set(strings.flatMap((member) => member.values ?? []))],
      nullable: isNullable,
    };
  }
  if (values.length === 1) return { ...values[0]!, nullable: isNullable };
  return { kind: "union", members: values.map((member) => ({ ...member, nullable: false })), nullable: isNullable };
}

// ---------------------------------------------------------------------------------------------
// The SDK's side: TypeScript types, read by the compiler.

const SDK_INDEX = fileURLToPath(new URL("../../src/index.ts", import.meta.url));

/** Helper types the expressions may use, besides `sdk.*` (the SDK's exports). */
const PRELUDE = `
/** T with keys renamed by M; optionality is kept (a homomorphic mapped type). */
type Renamed<T, M extends { [K in keyof T]?: string }> = { [K in keyof T as K extends keyof M ? M[K] & string : K]: T[K] };
/** T without the keys K. Unlike Omit it keeps the named keys of a type with an index signature. */
type Without<T, K extends PropertyKey> = { [P in keyof T as P extends K ? never : P]: T[P] };
`;

/**
 * The models of TypeScript type expressions over the SDK's exports, by name. A compile error
 * in an expression (e.g. a type the SDK no longer exports) throws, with the compiler's message.
 */
export function sdkTypeModels(expressions: ReadonlyMap<string, string>): Map<string, Model> {
  // A virtual module beside the tests, importing the SDK's source like the tests do.
  const file = join(dirname(SDK_INDEX), "..", "test", "__api_types__.ts");
  const names = [...expressions.keys()];
  const text = [
    `import type * as sdk from "../src/index.ts";`,
    PRELUDE,
    ...names.map((name, index) => `export type T${index} = ${expressions.get(name)};`),
  ].join("\n");
  const options: ts.CompilerOptions = {
    strict: true,
    target: ts.ScriptTarget.ES2023,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    allowImportingTsExtensions: true,
    noEmit: true,
    skipLibCheck: true,
    lib: ["lib.es2023.d.ts", "lib.dom.d.ts"],
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, language, ...rest) =>
    name === file ? ts.createSourceFile(name, text, language, true) : getSourceFile.call(host, name, language, ...rest);
  host.fileExists = (name) => name === file || fileExists.call(host, name);
  host.readFile = (name) => (name === file ? text : readFile.call(host, name));
  const program = ts.createProgram({ rootNames: [file], options, host });
  const source = program.getSourceFile(file)!;
  const diagnostics = ts.getPreEmitDiagnostics(program, source);
  if (diagnostics.length > 0) {
    throw new Error(
      `the type expressions do not compile:\n${ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => dirname(file), getNewLine: () => "\n" })}\n${text}`,
    );
  }
  const checker = program.getTypeChecker();
  const exports = checker.getExportsOfModule(checker.getSymbolAtLocation(source)!);
  const models = new Map<string, Model>();
  names.forEach((name, index) => {
    const symbol = exports.find((s) => s.name === `T${index}`)!;
    models.set(name, typeModel(checker.getDeclaredTypeOfSymbol(symbol), checker, expressions.get(name)!));
  });
  return models;
}

function isStringLike(type: ts.Type): boolean {
  // `string & {}` (an open set of known values, e.g. `"a" | "b" | (string & {})`) is a string.
  return (
    (type.flags & ts.TypeFlags.StringLike) !== 0 ||
    (type.isIntersection() && type.types.some((member) => (member.flags & ts.TypeFlags.String) !== 0))
  );
}

function typeModel(type: ts.Type, checker: ts.TypeChecker, where: string): Model {
  let parts = type.isUnion() ? type.types : [type];
  // An optional property's type includes undefined: absence is required-ness, not a value.
  parts = parts.filter((part) => (part.flags & ts.TypeFlags.Undefined) === 0);
  const nullable = parts.some((part) => (part.flags & ts.TypeFlags.Null) !== 0);
  parts = parts.filter((part) => (part.flags & ts.TypeFlags.Null) === 0);
  if (parts.length === 0) return { kind: "null" };
  if (parts.some((part) => (part.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) !== 0)) return { kind: "any", nullable };
  if (parts.every(isStringLike)) {
    const open = parts.some((part) => !part.isStringLiteral());
    return { kind: "string", values: open ? undefined : parts.map((part) => (part as ts.StringLiteralType).value), nullable };
  }
  if (parts.every((part) => (part.flags & ts.TypeFlags.BooleanLike) !== 0)) return { kind: "boolean", nullable };
  if (parts.every((part) => (part.flags & ts.TypeFlags.NumberLike) !== 0)) return { kind: "number", nullable };
  if (parts.length > 1) return { kind: "union", members: parts.map((part) => typeModel(part, checker, where)), nullable };
  const only = parts[0]!;
  if (checker.isArrayType(only)) {
    const [items] = checker.getTypeArguments(only as ts.TypeReference);
    return { kind: "array", items: typeModel(items!, checker, where), nullable };
  }
  if ((only.flags & (ts.TypeFlags.Object | ts.TypeFlags.Intersection)) !== 0) {
    const properties = new Map<string, Property>();
    for (const property of checker.getPropertiesOfType(only)) {
      properties.set(property.name, {
        model: typeModel(checker.getTypeOfSymbol(property), checker, where),
        required: (property.flags & ts.SymbolFlags.Optional) === 0,
      });
    }
    const index = checker.getIndexInfoOfType(only, ts.IndexKind.String);
    return { kind: "object", properties, additional: index ? typeModel(index.type, checker, where) : undefined, nullable };
  }
  throw new Error(`${where}: cannot model the type ${checker.typeToString(only)}`);
}

// ---------------------------------------------------------------------------------------------
// The comparison.

/** How a model reads in a message. */
export function describe(model: Model): string {
  const text = (() => {
    switch (model.kind) {
      case "string":
        return model.values ? model.values.map((value) => JSON.stringify(value)).join(" | ") : "string";
      case "array":
        return `${describe(model.items)}[]`;
      case "object":
        return model.properties.size === 0 ? "a free-form object" : `{ ${[...model.properties.keys()].join(", ")} }`;
      case "union":
        return model.members.map(describe).join(" | ");
      case "any":
        return "anything";
      default:
        return model.kind;
    }
  })();
  return model.nullable ? `${text} | null` : text;
}

/**
 * The differences between the service's `schema` and the SDK's `sdk` model, one line each,
 * prefixed with `where`. Property names and required-ness must be equal on both sides (a field
 * added, renamed or made required on either side is a difference); types must let the data
 * flow in `direction` (the SDK may send fewer string values than the service takes, and may
 * accept more than the service sends).
 */
export function compareModels(schema: Model, sdk: Model, where: string, direction: Direction): string[] {
  const issues: string[] = [];
  if (direction === "response" && schema.nullable && !sdk.nullable)
    issues.push(`${where}: the service may send null; the SDK type does not allow it`);
  if (direction === "request" && sdk.nullable && !schema.nullable)
    issues.push(`${where}: the SDK type allows null; the service's schema does not`);
  if (schema.kind === "union" || sdk.kind === "union") return [...issues, ...compareUnions(schema, sdk, where, direction)];
  if (schema.kind === "any") {
    if (sdk.kind === "any" || (sdk.kind === "object" && sdk.properties.size === 0) || direction === "request") return issues;
    return [...issues, `${where}: the service's schema does not describe it; the SDK type says ${describe(sdk)}`];
  }
  if (sdk.kind === "any") return [...issues, `${where}: the SDK type does not describe it; the service's schema says ${describe(schema)}`];
  if (schema.kind !== sdk.kind)
    return [...issues, `${where}: the service's schema says ${describe(schema)}, the SDK type ${describe(sdk)}`];
  if (schema.kind === "string" && sdk.kind === "string") {
    const [narrow, wide, narrowName, wideName] =
      direction === "request"
        ? [sdk, schema, "the SDK type", "the service's schema"]
        : [schema, sdk, "the service's schema", "the SDK type"];
    if (wide.values !== undefined) {
      const missing =
        narrow.values === undefined
          ? ["any string"]
          : narrow.values.filter((value) => !wide.values!.includes(value)).map((value) => JSON.stringify(value));
      if (missing.length > 0)
        issues.push(`${where}: ${narrowName} allows ${missing.join(", ")}, ${wideName} only ${describe({ ...wide, nullable: false })}`);
    }
    return issues;
  }
  if (schema.kind === "array" && sdk.kind === "array")
    return [...issues, ...compareModels(schema.items, sdk.items, `${where}[]`, direction)];
  if (schema.kind === "object" && sdk.kind === "object") return [...issues, ...compareObjects(schema, sdk, where, direction)];
  return issues;
}

type ObjectModel = Extract<Model, { kind: "object" }>;

function compareObjects(schema: ObjectModel, sdk: ObjectModel, where: string, direction: Direction): string[] {
  const issues: string[] = [];
  if (schema.properties.size === 0 && sdk.properties.size > 0) {
    // A free-form object in the schema takes whatever the SDK sends, but promises nothing the SDK reads.
    if (direction === "response") issues.push(`${where}: the service's schema leaves it free-form; the SDK type expects ${describe(sdk)}`);
  } else if (sdk.properties.size === 0 && schema.properties.size > 0) {
    issues.push(`${where}: the SDK type leaves it free-form; the service's schema has ${describe(schema)}`);
  } else {
    const names = [...new Set([...schema.properties.keys(), ...sdk.properties.keys()])];
    for (const name of names) {
      const inSchema = schema.properties.get(name);
      const inSdk = sdk.properties.get(name);
      const path = `${where}.${name}`;
      if (!inSdk) issues.push(`${path}: in the service's schema (${inSchema!.required ? "required" : "optional"}), not in the SDK type`);
      else if (!inSchema)
        issues.push(`${path}: in the SDK type (${inSdk.required ? "required" : "optional"}), not in the service's schema`);
      else {
        if (inSchema.required !== inSdk.required)
          issues.push(
            `${path}: ${inSchema.required ? "required" : "optional"} in the service's schema, ${inSdk.required ? "required" : "optional"} in the SDK type`,
          );
        issues.push(...compareModels(inSchema.model, inSdk.model, path, direction));
      }
    }
  }
  if (schema.additional && sdk.additional) issues.push(...compareModels(schema.additional, sdk.additional, `${where}[*]`, direction));
  return issues;
}

/**
 * Unions: in a response every shape the service may send must match one of the SDK's; in a
 * request every shape the SDK may send must match one of the service's. A member without a
 * match reports the differences from its closest counterpart.
 */
function compareUnions(schema: Model, sdk: Model, where: string, direction: Direction): string[] {
  const membersOf = (model: Model): Model[] => (model.kind === "union" ? [...model.members] : [{ ...model, nullable: false }]);
  const [covered, covering] = direction === "response" ? [membersOf(schema), membersOf(sdk)] : [membersOf(sdk), membersOf(schema)];
  const issues: string[] = [];
  covered.forEach((member, index) => {
    const attempts = covering.map((candidate) =>
      direction === "response"
        ? compareModels(member, candidate, `${where}<${index + 1}>`, direction)
        : compareModels(candidate, member, `${where}<${index + 1}>`, direction),
    );
    if (attempts.some((attempt) => attempt.length === 0)) return;
    const closest = attempts.reduce(
      (best, attempt) => (attempt.length < best.length ? attempt : best),
      attempts[0] ?? [`${where}<${index + 1}>: no counterpart`],
    );
    issues.push(...closest);
  });
  return issues;
}
