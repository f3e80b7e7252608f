// Every SDK operation calls an operation of the service's own /openapi.json. The types and the
// response checks come from that document (src/generated/, kept fresh by generated-api.test.ts);
// this covers what they cannot: the method and path each operation sends. The service is built
// in-process and listens on loopback; each operation is called once and its request recorded.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type App, buildApp } from "../../server/src/app.ts";
import { testConfig } from "../../server/src/config.ts";
import { Admin, OAuth, Pipeshub, UserAccount, type FetchLike } from "../src/index.ts";

const ORG = "org_unknown";
const CALLS: Record<string, (c: Pipeshub) => Promise<unknown>> = {
  "oauth.exchangeCode": (c) =>
    c.oauth.exchangeCode({ code: "c", email: "a@example.com", provider: "p", redirectUri: "https://app.example/cb" }),
  "oauth.authorizationUrl": (c) =>
    c.oauth.authorizationUrl({ provider: "p", email: "a@example.com", redirectUri: "https://app.example/cb" }),
  "userAccount.initAuth": (c) => c.userAccount.initAuth({ email: "a@example.com" }),
  "userAccount.authenticate": (c) => c.userAccount.authenticate({ sessionToken: "s", method: "oauth", credentials: { accessToken: "t" } }),
  "userAccount.refreshToken": (c) => c.userAccount.refreshToken({ refreshToken: "r" }),
  "userAccount.logout": (c) => c.userAccount.logout({ accessToken: "a" }),
  "admin.createOrg": (c) => c.admin.createOrg({ name: "n", domains: [] }),
  "admin.listOrgs": (c) => c.admin.listOrgs(),
  "admin.getOrg": (c) => c.admin.getOrg(ORG),
  "admin.renameOrg": (c) => c.admin.renameOrg(ORG, "n"),
  "admin.deleteOrg": (c) => c.admin.deleteOrg(ORG),
  "admin.addOrgDomain": (c) => c.admin.addOrgDomain(ORG, "example.com"),
  "admin.removeOrgDomain": (c) => c.admin.removeOrgDomain(ORG, "example.com"),
  "admin.listDomains": (c) => c.admin.listDomains(ORG),
  "admin.verifyDomain": (c) => c.admin.verifyDomain(ORG, "example.com"),
  "admin.getAuthMethods": (c) => c.admin.getAuthMethods(ORG),
  "admin.setAuthMethods": (c) => c.admin.setAuthMethods(ORG, [{ order: 1, allowedMethods: [{ type: "oauth" }] }]),
  "admin.putProvider": (c) => c.admin.putProvider(ORG, "p", { clientId: "c" }),
  "admin.saveProvider": (c) => c.admin.saveProvider(ORG, "p", { clientId: "c" }),
  "admin.getProvider": (c) => c.admin.getProvider(ORG, "p"),
  "admin.listProviderPresets": (c) => c.admin.listProviderPresets(),
  "admin.listProviders": (c) => c.admin.listProviders(ORG),
  "admin.deleteProvider": (c) => c.admin.deleteProvider(ORG, "p"),
  "admin.promoteProviderSecret": (c) => c.admin.promoteProviderSecret(ORG, "p"),
  "admin.putSamlProvider": (c) => c.admin.putSamlProvider(ORG, "s", { redirectUris: ["https://app.example/cb"] }),
  "admin.saveSamlProvider": (c) => c.admin.saveSamlProvider(ORG, "s", { redirectUris: ["https://app.example/cb"] }),
  "admin.getSamlProvider": (c) => c.admin.getSamlProvider(ORG, "s"),
  "admin.listSamlProviders": (c) => c.admin.listSamlProviders(ORG),
  "admin.deleteSamlProvider": (c) => c.admin.deleteSamlProvider(ORG, "s"),
  "admin.listSamlProviderPresets": (c) => c.admin.listSamlProviderPresets(),
  "admin.doctorSamlProvider": (c) => c.admin.doctorSamlProvider(ORG, "s"),
  "admin.startSamlTestSignIn": (c) => c.admin.startSamlTestSignIn(ORG, "s", {}),
  "admin.getSamlProviderHealth": (c) => c.admin.getSamlProviderHealth(ORG, "s", "1h"),
  "admin.testProvider": (c) => c.admin.testProvider(ORG, "p"),
  "admin.doctorProvider": (c) => c.admin.doctorProvider(ORG, "p"),
  "admin.getProviderHealth": (c) => c.admin.getProviderHealth(ORG, "p", "1h"),
  "admin.listEvents": (c) => c.admin.listEvents(ORG, { limit: 5 }),
  "admin.startTestSignIn": (c) => c.admin.startTestSignIn(ORG, "p", {}),
  "admin.completeTestSignIn": (c) => c.admin.completeTestSignIn({ state: "s", code: "c" }),
  "admin.createUser": (c) => c.admin.createUser(ORG, { email: "a@example.com" }),
  "admin.findUsers": (c) => c.admin.findUsers(ORG, "a@example.com"),
  "admin.listUsersPage": (c) => c.admin.listUsersPage(ORG, { q: "a", limit: 5 }),
  "admin.endUserSessions": (c) => c.admin.endUserSessions(ORG, "u"),
  "admin.listUsers": (c) => c.admin.listUsers(ORG),
  "admin.setUserRole": (c) => c.admin.setUserRole(ORG, "u1", "admin"),
  "admin.setUserStatus": (c) => c.admin.setUserStatus(ORG, "u1", "disabled"),
  "admin.listUserIdentities": (c) => c.admin.listUserIdentities(ORG, "u1"),
  "admin.unlinkUserIdentity": (c) => c.admin.unlinkUserIdentity(ORG, "u1", "p"),
  "admin.listAudit": (c) => c.admin.listAudit(ORG, { limit: 1 }),
  "admin.listServiceAudit": (c) => c.admin.listServiceAudit({ limit: 1 }),
  "admin.createSetupLink": (c) => c.admin.createSetupLink(ORG, { expiresInHours: 2 }),
  "admin.listSetupLinks": (c) => c.admin.listSetupLinks(ORG),
  "admin.revokeSetupLink": (c) => c.admin.revokeSetupLink(ORG, "l1"),
  "admin.redeemSetupLink": (c) => c.admin.redeemSetupLink("t"),
  "admin.listSigningKeys": (c) => c.admin.listSigningKeys(),
  "admin.getSettings": (c) => c.admin.getSettings(),
  "admin.rotateSigningKeys": (c) => c.admin.rotateSigningKeys(),
  "admin.reencryptSecrets": (c) => c.admin.reencryptSecrets(),
  "admin.listConsoleSessions": (c) => c.admin.listConsoleSessions(),
  "admin.endConsoleSession": (c) => c.admin.endConsoleSession("s1"),
  "admin.endAllConsoleSessions": (c) => c.admin.endAllConsoleSessions(),
  "admin.createScimToken": (c) => c.admin.createScimToken(ORG),
  "admin.listScimTokens": (c) => c.admin.listScimTokens(ORG),
  "admin.revokeScimToken": (c) => c.admin.revokeScimToken(ORG, "t1"),
  "admin.setScimAdminGroup": (c) => c.admin.setScimAdminGroup(ORG, "Admins"),
  "admin.createIntrospectionToken": (c) => c.admin.createIntrospectionToken({ name: "api" }),
  "admin.listIntrospectionTokens": (c) => c.admin.listIntrospectionTokens(),
  "admin.revokeIntrospectionToken": (c) => c.admin.revokeIntrospectionToken("t1"),
  "userAccount.introspectToken": (c) => c.userAccount.introspectToken({ token: "t", introspectionToken: "i" }),
};

/** The public methods of a class and of the classes it extends (`Admin` is composed of one class per resource). */
function methodsOf(type: { prototype: object }): string[] {
  const names = new Set<string>();
  for (let proto = type.prototype; proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) if (name !== "constructor") names.add(name);
  }
  return [...names].filter((name) => !["call", "callWithoutToken"].includes(name));
}

describe("the SDK's operations", () => {
  let app: App | undefined;
  let documented: string[];
  const sent = new Map<string, string[]>();

  before(async () => {
    app = await buildApp(testConfig());
    await app.server.listen({ host: "127.0.0.1", port: 0 });
    const address = app.server.server.address();
    const serverURL = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    const document = (await (await fetch(`${serverURL}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    documented = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    for (const [name, call] of Object.entries(CALLS)) {
      const requests: string[] = [];
      const recording: FetchLike = (input, init) => {
        requests.push(`${init.method ?? "GET"} ${new URL(input).pathname}`);
        return globalThis.fetch(input, init);
      };
      const client = new Pipeshub({ serverURL, adminToken: app.config.adminToken, retryConfig: { strategy: "none" }, fetch: recording });
      await call(client).catch(() => undefined); // the request is what matters, not the answer
      sent.set(name, requests);
    }
  });
  after(() => app?.close());

  test("are all listed here", () => {
    const methods = Object.entries({ oauth: OAuth, userAccount: UserAccount, admin: Admin }).flatMap(([group, type]) =>
      methodsOf(type).map((name) => `${group}.${name}`),
    );
    assert.deepEqual(Object.keys(CALLS).sort(), methods.sort());
  });

  test("each send one request that the service's document describes", () => {
    const matches = (request: string) => (operation: string) =>
      new RegExp(`^${operation.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}/]+\}/g, "[^/]+")}$`).test(request);
    for (const [name, requests] of sent) {
      assert.equal(requests.length, 1, `${name} sent ${requests.length} requests`);
      assert.ok(documented.some(matches(requests[0]!)), `${name} calls ${requests[0]}, which /openapi.json does not describe`);
    }
  });
});
