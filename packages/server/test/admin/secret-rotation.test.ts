import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import { describe, test } from "node:test";
import type { DoctorFinding } from "../../src/admin/provider-doctor.ts";
import { assertAuthError, auditEvents } from "../support/service.ts";
import { alice, CLIENT_SECRET, doctor, REDIRECT_URI, signInFixture, type SignInFixture } from "../support/sign-in-fixture.ts";
import { startTestProvider, type TestClient, type TestProvider } from "../support/test-provider.ts";

const NEXT_SECRET = "n3xt-Client-Secret-Value-7c1d0";

/** A real oidc-provider whose one client's secret the test can rotate. */
async function rotatableProvider(t: TestContext): Promise<{ provider: TestProvider; client: TestClient }> {
  const client: TestClient = {
    client_id: "pipeshub-app",
    client_secret: CLIENT_SECRET,
    redirect_uris: [REDIRECT_URI],
    token_endpoint_auth_method: "client_secret_basic",
  };
  const provider = await startTestProvider({ clients: [client], users: [alice] });
  t.after(() => provider.close());
  return { provider, client };
}

/**
 * Rotates the client's secret at the provider: oidc-provider fixes its clients when it is built,
 * and the demo provider builds a new instance over the same store (codes, grants and sessions
 * survive) on a key rotation, reading the client list it was started with — so the client's new
 * secret takes effect there, and the old one is refused from then on.
 */
async function rotateSecretAtProvider(provider: TestProvider, client: TestClient, secret: string): Promise<void> {
  client.client_secret = secret;
  await provider.rotateKeys({ keepPrevious: true });
}

async function signIn(fixture: SignInFixture): Promise<{ status: number; text: string }> {
  return fixture.exchange({ code: await fixture.code("alice-sub"), email: alice.email });
}

async function saveNextSecret(fixture: SignInFixture, provider: TestProvider) {
  return fixture.service.admin<Record<string, unknown>>("PUT", `/api/v1/orgs/${fixture.orgId}/oauth-providers/acme-idp`, {
    clientId: "pipeshub-app",
    issuer: provider.issuer,
    redirectUris: [REDIRECT_URI],
    enableJit: true,
    nextClientSecret: NEXT_SECRET,
  });
}

async function credentialsFinding(fixture: SignInFixture): Promise<DoctorFinding> {
  return (await doctor(fixture)).find((f) => f.check === "client-credentials")!;
}

describe("client-secret rotation without downtime", () => {
  test("the next secret is stored sealed and write-only: reads say only that it is set", async (t) => {
    const { provider } = await rotatableProvider(t);
    const fixture = await signInFixture(t, { provider });
    const saved = await saveNextSecret(fixture, provider);
    assert.equal(saved.status, 200, saved.text);
    assert.equal(saved.body.clientSecretSet, true, "the current secret is kept");
    assert.equal(saved.body.nextClientSecretSet, true);
    const read = await fixture.service.admin("GET", `/api/v1/orgs/${fixture.orgId}/oauth-providers/acme-idp`);
    assert.equal(read.body.nextClientSecretSet, true);
    const listed = await fixture.service.admin("GET", `/api/v1/orgs/${fixture.orgId}/oauth-providers`);
    for (const text of [saved.text, read.text, listed.text]) assert.ok(!text.includes(NEXT_SECRET), "never returned");
    assert.ok(!fixture.service.logs().includes(NEXT_SECRET), "never logged");
    const stored = await fixture.service.app.store.db.selectFrom("providers").select("next_client_secret_sealed").executeTakeFirstOrThrow();
    assert.ok(stored.next_client_secret_sealed && !stored.next_client_secret_sealed.includes(NEXT_SECRET), "sealed at rest");
  });

  test("sign-ins go on across the provider's switch to the next secret and its promotion: none fails", async (t) => {
    const { provider, client } = await rotatableProvider(t);
    const fixture = await signInFixture(t, { provider });
    assert.equal((await saveNextSecret(fixture, provider)).status, 200);
    assert.match((await credentialsFinding(fixture)).message, /^Credentials accepted.*next secret is not accepted \(yet\)/);

    const outcomes: { status: number; text: string; phase: string }[] = [];
    let phase = "before the switch";
    let stop = false;
    const signIns = (async () => {
      while (!stop) outcomes.push({ ...(await signIn(fixture)), phase });
    })();
    const after = async (count: number) => {
      const target = outcomes.length + count;
      while (outcomes.length < target) await new Promise((resolve) => setTimeout(resolve, 10));
    };
    try {
      await after(3);
      // A code the provider issued before the switch, redeemed after it.
      const earlyCode = await fixture.code("alice-sub");
      await rotateSecretAtProvider(provider, client, NEXT_SECRET);
      phase = "between the switch and the promotion";
      const early = await fixture.exchange({ code: earlyCode, email: alice.email });
      assert.equal(early.status, 200, early.text);
      await after(3);

      const finding = await credentialsFinding(fixture);
      assert.equal(finding.status, "warn", finding.message);
      assert.match(finding.message, /refuses the current client secret .* accepts the next one/);
      assert.match(finding.fix!, /promote-secret/);

      const promoted = await fixture.service.admin("POST", `/api/v1/orgs/${fixture.orgId}/oauth-providers/acme-idp/promote-secret`);
      assert.equal(promoted.status, 200, promoted.text);
      assert.equal(promoted.body.nextClientSecretSet, false);
      assert.equal(promoted.body.clientSecretSet, true);
      phase = "after the promotion";
      await after(3);
    } finally {
      stop = true;
      await signIns;
    }

    const failed = outcomes.filter((o) => o.status !== 200);
    assert.deepEqual(failed, [], "no sign-in failed");
    assert.equal((await credentialsFinding(fixture)).status, "pass");
    const events = (await auditEvents(fixture.service, fixture.orgId, "")).map((r) => `${r.event} ${r.outcome}`);
    assert.ok(!events.includes("oauth.exchange failure"), events.join("\n"));
    const fallbacks = events.filter((e) => e === "provider.next_secret_used success").length;
    const between = outcomes.filter((o) => o.phase === "between the switch and the promotion").length;
    // Every redemption between the switch and the promotion (the early code's too) fell back and said so; none
    // before or after. A sign-in is labelled by when it ended: one may have redeemed just before the switch,
    // one labelled "after" just before the promotion.
    assert.ok(between >= 3);
    assert.ok(fallbacks >= between && fallbacks <= between + 2, `${fallbacks} fallbacks, ${between} sign-ins between`);
    assertAuthError(
      await fixture.service.admin("POST", `/api/v1/orgs/${fixture.orgId}/oauth-providers/acme-idp/promote-secret`),
      409,
      "CONFLICT",
    );
  });

  test("without a next secret the same switch fails sign-ins with the provider's invalid_client (the control)", async (t) => {
    const { provider, client } = await rotatableProvider(t);
    const fixture = await signInFixture(t, { provider });
    assert.equal((await signIn(fixture)).status, 200);
    await rotateSecretAtProvider(provider, client, NEXT_SECRET);
    const refused = await signIn(fixture);
    const body = assertAuthError({ ...refused, body: JSON.parse(refused.text) }, 400, "INVALID_GRANT");
    assert.equal(body.providerError, "invalid_client");
  });
});
