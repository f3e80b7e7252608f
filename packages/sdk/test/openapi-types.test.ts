// The SDK's request and response types against the service's own /openapi.json. The service is
// built in-process from packages/server and listens on loopback; every SDK operation is called
// once and the request it sends names the operation in the document, whose schemas are then
// compared with the SDK's types (helpers/api-types.ts). A body or response field added, renamed
// or made required on either side fails here, unless it is one of the deliberate differences
// listed below. Query and header parameters: the SDK sends only what the service takes, and
// everything it requires.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type App, buildApp } from "../../server/src/app.ts";
import { testConfig } from "../../server/src/config.ts";
import { Admin, OAuth, Pipeshub, UserAccount, type FetchLike } from "../src/index.ts";
import { compareModels, type JsonSchema, type Model, schemaModel, sdkTypeModels } from "./helpers/api-types.ts";

/**
 * One SDK operation and the types of what it sends and reads, as TypeScript over the SDK's
 * exports. `Arg0`, `Arg1`… are the operation's parameters and `Result` what it resolves to;
 * omitted parts are not sent (or, for `response`, not read).
 */
interface Operation {
  /** `group.method`, e.g. `admin.createOrg`. */
  sdk: string;
  /** Calls it once on a client of the running service (the answer does not matter). */
  call(client: Pipeshub): Promise<unknown>;
  body?: string;
  query?: string;
  headers?: string;
  response?: string;
}

type Part = "body" | "query" | "headers" | "response";

const SESSION_HEADER = `{ sessionToken: "x-session-token" }`;
const ORG = "org_unknown";

const OPERATIONS: readonly Operation[] = [
  {
    sdk: "oauth.exchangeCode",
    call: (c) =>
      c.oauth.exchangeCode({
        code: "c",
        email: "a@example.com",
        provider: "p",
        redirectUri: "https://app.example.com/cb",
        sessionToken: "s",
      }),
    body: `Without<Arg0, "sessionToken">`,
    headers: `Renamed<Pick<Arg0, "sessionToken">, ${SESSION_HEADER}>`,
    // The SDK turns the wire's snake_case into camelCase.
    response: `Renamed<Result, { accessToken: "access_token"; idToken: "id_token"; tokenType: "token_type"; expiresIn: "expires_in" }>`,
  },
  {
    sdk: "oauth.authorizationUrl",
    call: (c) =>
      c.oauth.authorizationUrl({ provider: "p", email: "a@example.com", redirectUri: "https://app.example.com/cb", sessionToken: "s" }),
    query: `Without<Arg0, "sessionToken">`,
    headers: `Renamed<Pick<Arg0, "sessionToken">, ${SESSION_HEADER}>`,
    response: `Result`,
  },
  // The session token comes from the x-session-token response header, not the body.
  {
    sdk: "userAccount.initAuth",
    call: (c) => c.userAccount.initAuth({ email: "a@example.com" }),
    body: `Arg0`,
    response: `Without<Result, "sessionToken">`,
  },
  {
    sdk: "userAccount.authenticate",
    call: (c) => c.userAccount.authenticate({ sessionToken: "s", method: "oauth", credentials: { accessToken: "t" } }),
    body: `Without<Arg0, "sessionToken">`,
    headers: `Renamed<Pick<Arg0, "sessionToken">, ${SESSION_HEADER}>`,
    // `kind` is the SDK's own discriminator of the two answers.
    response: `Without<sdk.AuthenticateFinal, "kind"> | Without<sdk.AuthenticateNextStep, "kind">`,
  },
  // The tokens of these two travel in Authorization: Bearer.
  { sdk: "userAccount.refreshToken", call: (c) => c.userAccount.refreshToken({ refreshToken: "r" }), response: `Result` },
  { sdk: "userAccount.logout", call: (c) => c.userAccount.logout({ accessToken: "a" }) },
  { sdk: "admin.createOrg", call: (c) => c.admin.createOrg({ name: "n", domains: [] }), body: `Arg0`, response: `Result` },
  { sdk: "admin.listOrgs", call: (c) => c.admin.listOrgs(), response: `Result` },
  { sdk: "admin.getOrg", call: (c) => c.admin.getOrg(ORG), response: `Result` },
  { sdk: "admin.putProvider", call: (c) => c.admin.putProvider(ORG, "p", { clientId: "c" }), body: `Arg2`, response: `Result` },
  {
    sdk: "admin.saveProvider",
    call: (c) => c.admin.saveProvider(ORG, "p", { clientId: "c" }),
    body: `Arg2`,
    response: `Result["provider"] & Pick<Result, "identityLinksDropped">`,
  },
  { sdk: "admin.getProvider", call: (c) => c.admin.getProvider(ORG, "p"), response: `Result` },
  { sdk: "admin.listProviderPresets", call: (c) => c.admin.listProviderPresets(), response: `Result` },
  { sdk: "admin.listProviders", call: (c) => c.admin.listProviders(ORG), response: `Result` },
  { sdk: "admin.deleteProvider", call: (c) => c.admin.deleteProvider(ORG, "p") },
  { sdk: "admin.testProvider", call: (c) => c.admin.testProvider(ORG, "p"), response: `Result` },
  { sdk: "admin.doctorProvider", call: (c) => c.admin.doctorProvider(ORG, "p"), response: `Result` },
  { sdk: "admin.promoteProviderSecret", call: (c) => c.admin.promoteProviderSecret(ORG, "p"), response: `Result` },
  { sdk: "admin.createUser", call: (c) => c.admin.createUser(ORG, { email: "a@example.com" }), body: `Arg1`, response: `Result` },
  { sdk: "admin.findUsers", call: (c) => c.admin.findUsers(ORG, "a@example.com"), query: `{ email: Arg1 }`, response: `Result` },
  { sdk: "admin.listUsers", call: (c) => c.admin.listUsers(ORG), response: `Result` },
  { sdk: "admin.listUserIdentities", call: (c) => c.admin.listUserIdentities(ORG, "u1"), response: `Result` },
  { sdk: "admin.unlinkUserIdentity", call: (c) => c.admin.unlinkUserIdentity(ORG, "u1", "p") },
  {
    sdk: "admin.setUserRole",
    call: (c) => c.admin.setUserRole(ORG, "u1", "admin"),
    body: `{ role: Arg2 }`,
    response: `Result`,
  },
  {
    sdk: "admin.setUserStatus",
    call: (c) => c.admin.setUserStatus(ORG, "u1", "disabled"),
    body: `{ status: Arg2 }`,
    response: `Result`,
  },
  { sdk: "admin.listAudit", call: (c) => c.admin.listAudit(ORG, { limit: 1 }), query: `Arg1`, response: `Result` },
  { sdk: "admin.listServiceAudit", call: (c) => c.admin.listServiceAudit({ limit: 1 }), query: `Arg0`, response: `Result` },
  { sdk: "admin.createSetupLink", call: (c) => c.admin.createSetupLink(ORG, { expiresInHours: 2 }), body: `Arg1`, response: `Result` },
  { sdk: "admin.listSetupLinks", call: (c) => c.admin.listSetupLinks(ORG), response: `Result` },
  { sdk: "admin.revokeSetupLink", call: (c) => c.admin.revokeSetupLink(ORG, "l1") },
  { sdk: "admin.listConsoleSessions", call: (c) => c.admin.listConsoleSessions(), response: `{ sessions: Result }` },
  { sdk: "admin.endConsoleSession", call: (c) => c.admin.endConsoleSession("s1") },
  { sdk: "admin.endAllConsoleSessions", call: (c) => c.admin.endAllConsoleSessions(), response: `Result` },
  { sdk: "admin.redeemSetupLink", call: (c) => c.admin.redeemSetupLink("t"), body: `{ token: Arg0 }`, response: `Result` },
  { sdk: "admin.listEvents", call: (c) => c.admin.listEvents(ORG, { limit: 5 }), query: `Arg1`, response: `{ events: Result }` },
  { sdk: "admin.startTestSignIn", call: (c) => c.admin.startTestSignIn(ORG, "p", {}), body: `Arg2`, response: `Result` },
  {
    sdk: "admin.completeTestSignIn",
    call: (c) => c.admin.completeTestSignIn({ state: "s", code: "c" }),
    body: `Arg0`,
    response: `Result`,
  },
  {
    sdk: "admin.getProviderHealth",
    call: (c) => c.admin.getProviderHealth(ORG, "p", "1h"),
    query: `{ window: Arg2 }`,
    response: `Result`,
  },
  // The steps travel wrapped: `{ authMethod: steps }` in, `{ authMethods: steps }` out.
  { sdk: "admin.getAuthMethods", call: (c) => c.admin.getAuthMethods(ORG), response: `{ authMethods: Result }` },
  {
    sdk: "admin.setAuthMethods",
    call: (c) => c.admin.setAuthMethods(ORG, [{ order: 1, allowedMethods: [{ type: "oauth" }] }]),
    body: `{ authMethod: Arg1 }`,
    response: `{ authMethods: Result }`,
  },
  { sdk: "admin.rotateSigningKeys", call: (c) => c.admin.rotateSigningKeys(), response: `Result` },
  { sdk: "admin.reencryptSecrets", call: (c) => c.admin.reencryptSecrets(), response: `Result` },
];

/**
 * Differences on purpose, with their reasons. Each must still occur (a stale one fails the
 * test), so this list stays the whole truth.
 */
const DELIBERATE: readonly { why: string; differences: readonly string[] }[] = [
  {
    why: "The SDK speaks PipesHub's user-account contract, whose AuthProviders also has google, microsoft, azuread and saml; this service only ever sends oauth.",
    differences: [
      "userAccount.initAuth (POST /userAccount/initAuth) 200 response",
      "userAccount.authenticate (POST /userAccount/authenticate) 200 response<2>",
    ].flatMap((answer) =>
      ["google", "microsoft", "azuread", "saml"].map(
        (name) => `${answer}.authProviders.${name}: in the SDK type (optional), not in the service's schema`,
      ),
    ),
  },
  {
    why: "oauthProviders is this service's addition to the contract: the SDK reads it when present, so it also works with a server without it.",
    differences: [
      "userAccount.initAuth (POST /userAccount/initAuth) 200 response.oauthProviders: required in the service's schema, optional in the SDK type",
      "userAccount.authenticate (POST /userAccount/authenticate) 200 response<2>.oauthProviders: required in the service's schema, optional in the SDK type",
    ],
  },
  {
    why: "The Turnstile captcha belongs to password sign-in; the SDK's authenticate sends the oauth method only.",
    differences: [
      "userAccount.authenticate (POST /userAccount/authenticate) request body.cf-turnstile-response: in the service's schema (optional), not in the SDK type",
    ],
  },
  {
    why: "The SDK checks _id, orgId and email of the refreshed user and types the contract's other fields when present (any contract server may leave them out); __v is Mongoose's version key, of no use to a client, and passes through untyped.",
    differences: [
      ...["fullName", "role", "hasLoggedIn", "isDeleted", "slug", "createdAt", "updatedAt"].map(
        (name) =>
          `userAccount.refreshToken (POST /userAccount/refresh/token) 200 response.user.${name}: required in the service's schema, optional in the SDK type`,
      ),
      "userAccount.refreshToken (POST /userAccount/refresh/token) 200 response.user.__v: in the service's schema (required), not in the SDK type",
    ],
  },
  {
    why: "putProvider answers the saved provider alone; saveProvider is the call that also reads how many identity links the save dropped.",
    differences: [200, 201].map(
      (status) =>
        `admin.putProvider (PUT /api/v1/orgs/{orgId}/oauth-providers/{name}) ${status} response.identityLinksDropped: in the service's schema (required), not in the SDK type`,
    ),
  },
  {
    why: "The SDK asks for an organisation's domains (an empty list will do): users reach an organisation through them.",
    differences: ["admin.createOrg (POST /api/v1/orgs) request body.domains: optional in the service's schema, required in the SDK type"],
  },
  {
    why: "TokenEndpointAuthMethod and AllowedMethod are open unions (known values | string & {}), one type for what is read and sent, so a newer service's values can pass; this service refuses others with 400 VALIDATION_ERROR.",
    differences: [
      ...["putProvider", "saveProvider"].map(
        (name) =>
          `admin.${name} (PUT /api/v1/orgs/{orgId}/oauth-providers/{name}) request body.tokenEndpointAuthMethod: the SDK type allows any string, the service's schema only "client_secret_basic" | "client_secret_post"`,
      ),
      `admin.setAuthMethods (PUT /api/v1/orgs/{orgId}/auth-methods) request body.authMethod[].allowedMethods[].type: the SDK type allows any string, the service's schema only "samlSso" | "otp" | "password" | "google" | "microsoft" | "azureAd" | "oauth"`,
    ],
  },
  {
    why: "The service always sends fullName, null when unknown; the SDK's checked shapes treat absent and null alike (validate.ts), so its type says optional.",
    differences: [
      "admin.createUser (POST /api/v1/orgs/{orgId}/users) 201 response.fullName: required in the service's schema, optional in the SDK type",
      "admin.findUsers (GET /api/v1/orgs/{orgId}/users) 200 response[].fullName: required in the service's schema, optional in the SDK type",
      "admin.listUsers (GET /api/v1/orgs/{orgId}/users) 200 response[].fullName: required in the service's schema, optional in the SDK type",
      "admin.setUserRole (PATCH /api/v1/orgs/{orgId}/users/{userId}) 200 response.fullName: required in the service's schema, optional in the SDK type",
      "admin.setUserStatus (PATCH /api/v1/orgs/{orgId}/users/{userId}) 200 response.fullName: required in the service's schema, optional in the SDK type",
    ],
  },
  {
    why: "One PATCH sets a user's role, status or both (at least one); the SDK has a method for each, which sends that one field.",
    differences: [
      "admin.setUserRole (PATCH /api/v1/orgs/{orgId}/users/{userId}) request body.role: optional in the service's schema, required in the SDK type",
      "admin.setUserRole (PATCH /api/v1/orgs/{orgId}/users/{userId}) request body.status: in the service's schema (optional), not in the SDK type",
      "admin.setUserStatus (PATCH /api/v1/orgs/{orgId}/users/{userId}) request body.role: in the service's schema (optional), not in the SDK type",
      "admin.setUserStatus (PATCH /api/v1/orgs/{orgId}/users/{userId}) request body.status: optional in the service's schema, required in the SDK type",
    ],
  },
];

/**
 * Drift this test must catch, on either side: each case changes one operation's SDK type
 * (`sdkType`: its expression) or the service's document (`document`), and lists the
 * differences that change brings on top of the operation's deliberate ones.
 */
const DRIFT: readonly {
  change: string;
  sdk: string;
  sdkType?: Partial<Record<Part, string>>;
  document?: (document: OpenApiDocument) => void;
  expected: readonly string[];
}[] = [
  {
    change: "the SDK renames a response field",
    sdk: "admin.getOrg",
    sdkType: { response: `Renamed<Result, { domains: "domainNames" }>` },
    expected: [
      "admin.getOrg (GET /api/v1/orgs/{orgId}) 200 response.domains: in the service's schema (required), not in the SDK type",
      "admin.getOrg (GET /api/v1/orgs/{orgId}) 200 response.domainNames: in the SDK type (required), not in the service's schema",
    ],
  },
  {
    change: "the SDK makes an optional response field required",
    sdk: "admin.getProvider",
    sdkType: { response: `Without<Result, "issuer"> & { issuer: string }` },
    expected: [
      "admin.getProvider (GET /api/v1/orgs/{orgId}/oauth-providers/{name}) 200 response.issuer: optional in the service's schema, required in the SDK type",
    ],
  },
  {
    change: "the SDK adds a request field",
    sdk: "admin.createUser",
    sdkType: { body: `Arg1 & { locale?: string }` },
    expected: [
      "admin.createUser (POST /api/v1/orgs/{orgId}/users) request body.locale: in the SDK type (optional), not in the service's schema",
    ],
  },
  {
    change: "the service adds a required response field",
    sdk: "admin.createOrg",
    document: (d) => {
      const schema = d.paths["/api/v1/orgs"]!.post!.responses!["201"]!.content!["application/json"]!.schema!;
      schema.properties!.region = { type: "string" };
      schema.required!.push("region");
    },
    expected: ["admin.createOrg (POST /api/v1/orgs) 201 response.region: in the service's schema (required), not in the SDK type"],
  },
  {
    change: "the service makes an optional request field required",
    sdk: "admin.createUser",
    document: (d) =>
      void d.paths["/api/v1/orgs/{orgId}/users"]!.post!.requestBody!.content!["application/json"]!.schema!.required!.push("fullName"),
    expected: [
      "admin.createUser (POST /api/v1/orgs/{orgId}/users) request body.fullName: required in the service's schema, optional in the SDK type",
    ],
  },
];

const CLASSES: Record<string, string> = { oauth: "OAuth", userAccount: "UserAccount", admin: "Admin" };

/** The TypeScript expression of a part of `operation`, with Arg<n> and Result spelt out. */
function expression(operation: Operation, text: string): string {
  const [group, method] = operation.sdk.split(".") as [string, string];
  const signature = `sdk.${CLASSES[group]}["${method}"]`;
  return text
    .replace(/\bResult\b/g, `Awaited<ReturnType<${signature}>>`)
    .replace(/\bArg(\d)\b/g, `NonNullable<Parameters<${signature}>[$1]>`);
}

interface OpenApiParameter {
  in: string;
  name: string;
  required?: boolean;
}
interface OpenApiOperation {
  parameters?: OpenApiParameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
  responses?: Record<string, { content?: Record<string, { schema?: JsonSchema }> }>;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
}

/** The document's `METHOD path` that a request for `method` `pathname` is an instance of. */
function documentedOperation(document: OpenApiDocument, method: string, pathname: string): string | undefined {
  const matches = Object.keys(document.paths).filter((template) => {
    const pattern = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}/]+\}/g, "[^/]+")}$`);
    return pattern.test(pathname) && document.paths[template]![method.toLowerCase()] !== undefined;
  });
  return matches.length === 1 ? `${method} ${matches[0]}` : undefined;
}

const jsonSchemaOf = (content: Record<string, { schema?: JsonSchema }> | undefined): JsonSchema | undefined =>
  content?.["application/json"]?.schema;

/** Parameters: the SDK sends only parameters the service takes, and every one it requires. */
function compareParameters(declared: readonly OpenApiParameter[], sdk: Model | undefined, where: string): string[] {
  const issues: string[] = [];
  const sent = sdk?.kind === "object" ? sdk.properties : new Map();
  const key = (name: string) => name.toLowerCase();
  for (const [name, property] of sent) {
    const parameter = declared.find((p) => key(p.name) === key(name));
    if (!parameter) issues.push(`${where} ${name}: sent by the SDK, not taken by the service`);
    else if (parameter.required && !property.required) issues.push(`${where} ${name}: required by the service, optional in the SDK type`);
  }
  for (const parameter of declared) {
    if (parameter.required && ![...sent.keys()].some((name) => key(name) === key(parameter.name)))
      issues.push(`${where} ${parameter.name}: required by the service, not sent by the SDK`);
  }
  return issues;
}

/** Every difference between what the SDK's operation sends and reads (`model`) and what `documented` describes. */
function differences(document: OpenApiDocument, documented: string, sdkName: string, model: (part: Part) => Model | undefined): string[] {
  const [method, path] = documented.split(" ") as [string, string];
  const spec = document.paths[path]![method.toLowerCase()]!;
  const where = `${sdkName} (${documented})`;
  const issues: string[] = [];

  const body = jsonSchemaOf(spec.requestBody?.content);
  const sdkBody = model("body");
  if (body && sdkBody) issues.push(...compareModels(schemaModel(body, document), sdkBody, `${where} request body`, "request"));
  else if (sdkBody) issues.push(`${where} request body: sent by the SDK, not taken by the service`);
  else if (body && spec.requestBody?.required) issues.push(`${where} request body: required by the service, not sent by the SDK`);

  const parameters = spec.parameters ?? [];
  issues.push(
    ...compareParameters(
      parameters.filter((p) => p.in === "query"),
      model("query"),
      `${where} query parameter`,
    ),
  );
  issues.push(
    ...compareParameters(
      parameters.filter((p) => p.in === "header"),
      model("headers"),
      `${where} header`,
    ),
  );

  const answers = Object.entries(spec.responses ?? {}).filter(([status]) => /^2\d\d$/.test(status));
  const sdkResponse = model("response");
  const bodies = answers.flatMap(([status, answer]) => {
    const schema = jsonSchemaOf(answer.content);
    return schema && schema.type !== "null" ? [[status, schema] as const] : [];
  });
  for (const [status, schema] of bodies) {
    if (sdkResponse) issues.push(...compareModels(schemaModel(schema, document), sdkResponse, `${where} ${status} response`, "response"));
    else issues.push(`${where} ${status} response: the service answers a body, the SDK reads none`);
  }
  if (sdkResponse && bodies.length === 0) issues.push(`${where} response: the SDK reads a body, the service's schema has none`);
  return issues;
}

describe("the SDK's types agree with the service's /openapi.json", () => {
  let app: App | undefined;
  let document: OpenApiDocument;
  /** What each SDK operation sent when called: `METHOD /path`. */
  const sent = new Map<string, string[]>();
  /** DRIFT's operations: an operation of OPERATIONS with the case's SDK types. */
  const drifted = DRIFT.map((d) => ({ ...OPERATIONS.find((o) => o.sdk === d.sdk)!, ...d.sdkType }));
  /** The SDK-side models of an operation of OPERATIONS or DRIFT (compiled together: one compiler run). */
  let modelsOf: (operation: Operation) => (part: Part) => Model | undefined;

  before(async () => {
    const operations = [...OPERATIONS, ...drifted];
    const expressions = new Map<string, string>();
    operations.forEach((operation, index) => {
      for (const part of ["body", "query", "headers", "response"] as const) {
        const text = operation[part];
        if (text !== undefined) expressions.set(`${index} ${part}`, expression(operation, text));
      }
    });
    const models = sdkTypeModels(expressions);
    modelsOf = (operation) => (part) => models.get(`${operations.indexOf(operation)} ${part}`);

    app = await buildApp(testConfig());
    await app.server.listen({ host: "127.0.0.1", port: 0 });
    const address = app.server.server.address();
    const serverURL = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    document = (await (await fetch(`${serverURL}/openapi.json`)).json()) as OpenApiDocument;
    for (const operation of OPERATIONS) {
      const requests: string[] = [];
      const recording: FetchLike = (input, init) => {
        requests.push(`${init.method ?? "GET"} ${new URL(input).pathname}`);
        return globalThis.fetch(input, init);
      };
      const client = new Pipeshub({ serverURL, adminToken: app.config.adminToken, retryConfig: { strategy: "none" }, fetch: recording });
      await operation.call(client).catch(() => undefined); // the request is what matters, not the answer
      sent.set(operation.sdk, requests);
    }
  });
  after(() => app?.close());

  /** The documented operation an SDK operation called (asserted by the test below). */
  const calledOperation = (sdk: string): string => {
    const [method, pathname] = sent.get(sdk)![0]!.split(" ") as [string, string];
    return documentedOperation(document, method, pathname)!;
  };

  test("every operation of the SDK is listed here", () => {
    const methods = Object.entries({ oauth: OAuth, userAccount: UserAccount, admin: Admin }).flatMap(([group, type]) =>
      Object.getOwnPropertyNames(type.prototype)
        .filter((name) => name !== "constructor")
        .map((name) => `${group}.${name}`),
    );
    assert.deepEqual(OPERATIONS.map((o) => o.sdk).sort(), methods.sort());
  });

  test("every operation the SDK calls is in the service's document", () => {
    for (const operation of OPERATIONS) {
      const requests = sent.get(operation.sdk)!;
      assert.equal(requests.length, 1, `${operation.sdk} sent ${requests.length} requests`);
      const [method, pathname] = requests[0]!.split(" ") as [string, string];
      assert.ok(
        documentedOperation(document, method, pathname),
        `${operation.sdk} calls ${requests[0]}, which the service's document does not describe`,
      );
    }
  });

  test("request and response types agree, but for the deliberate differences", () => {
    const found = OPERATIONS.flatMap((operation) =>
      differences(document, calledOperation(operation.sdk), operation.sdk, modelsOf(operation)),
    );
    const deliberate = new Set(DELIBERATE.flatMap((d) => d.differences));
    const unexpected = found.filter((line) => !deliberate.has(line));
    const stale = [...deliberate].filter((line) => !found.includes(line));
    assert.deepEqual(unexpected, [], `the SDK's types and the service's schemas differ:\n  ${unexpected.join("\n  ")}`);
    assert.deepEqual(stale, [], `listed as deliberate, but no longer a difference (remove them):\n  ${stale.join("\n  ")}`);
  });

  DRIFT.forEach((drift, index) => {
    test(`catches drift: ${drift.change}`, () => {
      const original = OPERATIONS.find((o) => o.sdk === drift.sdk)!;
      const before = differences(document, calledOperation(drift.sdk), drift.sdk, modelsOf(original));
      const changed = structuredClone(document);
      drift.document?.(changed);
      const after = differences(changed, calledOperation(drift.sdk), drift.sdk, modelsOf(drifted[index]!));
      assert.deepEqual(
        after.filter((line) => !before.includes(line)),
        drift.expected,
      );
    });
  });
});
