/**
 * State binding (signin/authorization-requests.ts) over in-memory ports: an authorization
 * request's `state` is consumed once, and only by an exchange for the same organisation, provider,
 * redirect URI and email, under the sign-in session it was started in. No service is started;
 * the provider has explicit endpoints, so connecting to it sends nothing.
 */
import assert from "node:assert/strict";
import { describe, test, type TestContext } from "node:test";
import type { Result } from "../../src/domain/failures.ts";
import { authSessions } from "../../src/signin/flow.ts";
import { AUTHORIZATION_TTL_MS, consumeAuthorization, startAuthorization } from "../../src/signin/authorization-requests.ts";
import { createMemoryState } from "../../src/state/memory-state.ts";
import { manualClock, memoryPorts } from "../support/fakes.ts";
import { configuredProvider, providerClients } from "../support/provider-connections.ts";

const REDIRECT = "https://app.acme.test/callback";
const OTHER_REDIRECT = "https://app.acme.test/other";

/** A plain OAuth 2.0 provider: explicit endpoints, nothing to discover. */
const explicitProvider = (name: string, orgId: string) => ({
  ...configuredProvider({
    providerName: name,
    scope: "email",
    authorizationUrl: "https://idp.example/authorize",
    tokenEndpoint: "https://idp.example/token",
    userInfoEndpoint: "https://idp.example/user",
    redirectUris: [REDIRECT, OTHER_REDIRECT],
  }),
  id: `${name}-id`,
  orgId,
});

async function signInWorld(t: TestContext) {
  const clock = manualClock();
  const state = createMemoryState(clock.now);
  t.after(() => state.close());
  const ports = memoryPorts();
  const acme = await ports.organisations.create("Acme", ["acme.test"]);
  const beta = await ports.organisations.create("Beta", ["beta.test"]);
  ports.providers.add(explicitProvider("corp", acme.id));
  ports.providers.add(explicitProvider("other", acme.id));
  ports.providers.add(explicitProvider("corp", beta.id));
  const sessions = authSessions(state);
  const deps = { ...ports, state, sessions, discovery: providerClients().discovery };
  const start = async (request: { email?: string; provider?: string; redirectUri?: string; sessionToken?: string } = {}) => {
    const started = await startAuthorization(deps, {
      provider: request.provider ?? "corp",
      email: request.email ?? "jane@acme.test",
      redirectUri: request.redirectUri ?? REDIRECT,
      sessionToken: request.sessionToken,
    });
    assert.ok(started.ok, JSON.stringify(started));
    return started.value.state;
  };
  const exchange = { orgId: acme.id, provider: "corp", redirectUri: REDIRECT, email: "jane@acme.test" };
  const newSession = () => sessions.create({ email: null, orgId: null });
  return { clock, state, deps, acme, beta, start, exchange, newSession };
}

const errorOf = (result: Result<unknown>) => (result.ok ? "ok" : result.error);

describe("signin rules: an authorization request's state", () => {
  test("is consumed once: the exchange gets its PKCE verifier, a second use is INVALID_STATE", async (t) => {
    const w = await signInWorld(t);
    const state = await w.start();
    const first = await consumeAuthorization(w.state, state, w.exchange);
    assert.ok(first.ok);
    assert.deepEqual([first.value.orgId, first.value.provider, first.value.redirectUri], [w.acme.id, "corp", REDIRECT]);
    assert.match(first.value.codeVerifier, /^[\w-]{43,}$/);
    assert.equal(errorOf(await consumeAuthorization(w.state, state, w.exchange)), "INVALID_STATE");
    assert.equal(errorOf(await consumeAuthorization(w.state, "made-up", w.exchange)), "INVALID_STATE");
  });

  for (const [what, change] of [
    ["another organisation", (w: { beta: { id: string } }) => ({ orgId: w.beta.id })],
    ["another provider", () => ({ provider: "other" })],
    ["another redirect URI", () => ({ redirectUri: OTHER_REDIRECT })],
    ["another email", () => ({ email: "joe@acme.test" })],
  ] as const) {
    test(`an exchange for ${what} is INVALID_STATE and leaves the state to its rightful exchange`, async (t) => {
      const w = await signInWorld(t);
      const state = await w.start();
      assert.equal(errorOf(await consumeAuthorization(w.state, state, { ...w.exchange, ...change(w) })), "INVALID_STATE");
      assert.equal(errorOf(await consumeAuthorization(w.state, state, w.exchange)), "ok");
    });
  }

  test("the email is compared without case", async (t) => {
    const w = await signInWorld(t);
    const state = await w.start({ email: "Jane@Acme.test" });
    assert.equal(errorOf(await consumeAuthorization(w.state, state, { ...w.exchange, email: "JANE@acme.test" })), "ok");
  });

  test("started under a sign-in session, it is consumed only with that session", async (t) => {
    const w = await signInWorld(t);
    const session = await w.newSession();
    const state = await w.start({ sessionToken: session });
    assert.equal(errorOf(await consumeAuthorization(w.state, state, w.exchange)), "INVALID_STATE", "without the session");
    const another = await w.newSession();
    assert.equal(errorOf(await consumeAuthorization(w.state, state, { ...w.exchange, sessionToken: another })), "INVALID_STATE");
    const taken = await consumeAuthorization(w.state, state, { ...w.exchange, sessionToken: session });
    assert.equal(taken.ok && taken.value.sessionToken, session);
  });

  test("started without a session, it may be completed with or without one", async (t) => {
    const w = await signInWorld(t);
    assert.equal(
      errorOf(await consumeAuthorization(w.state, await w.start(), { ...w.exchange, sessionToken: await w.newSession() })),
      "ok",
    );
    assert.equal(errorOf(await consumeAuthorization(w.state, await w.start(), w.exchange)), "ok");
  });

  test("lives 10 minutes", async (t) => {
    const w = await signInWorld(t);
    const kept = await w.start();
    const expired = await w.start();
    await w.clock.advance(AUTHORIZATION_TTL_MS - 1);
    assert.equal(errorOf(await consumeAuthorization(w.state, kept, w.exchange)), "ok");
    await w.clock.advance(1);
    assert.equal(errorOf(await consumeAuthorization(w.state, expired, w.exchange)), "INVALID_STATE");
  });

  test("is started only under a live session, and for a registered redirect URI", async (t) => {
    const w = await signInWorld(t);
    const request = { provider: "corp", email: "jane@acme.test", redirectUri: REDIRECT };
    assert.equal(errorOf(await startAuthorization(w.deps, { ...request, sessionToken: "no-such-session" })), "SESSION_EXPIRED");
    const unregistered = { ...request, redirectUri: "https://evil.test/callback", sessionToken: undefined };
    assert.equal(errorOf(await startAuthorization(w.deps, unregistered)), "REDIRECT_URI_MISMATCH");
    assert.equal(
      errorOf(await startAuthorization(w.deps, { ...request, provider: "nowhere", sessionToken: undefined })),
      "PROVIDER_NOT_FOUND",
    );
  });
});
