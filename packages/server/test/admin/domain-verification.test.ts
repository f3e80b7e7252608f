/**
 * Domains an organisation has proven (#22), over real HTTP with the service's resolver pointed at
 * a DNS server on loopback (DNS_SERVERS): the operator's domains are verified at once; a setup
 * session's or organisation admin's claim is pending and routes nothing — no initAuth, no
 * exchange, no just-in-time account — until the TXT record it names is served; each domain is
 * verified on its own; a verified domain belongs to one organisation, the first to prove it.
 */
import assert from "node:assert/strict";
import { describe, test, type TestContext } from "node:test";
import type { Config } from "../../src/config.ts";
import { startTxtDnsServer, type TxtDnsServer } from "../support/dns-server.ts";
import { manualClock } from "../support/fakes.ts";
import { ownPostgresSchema } from "../support/postgres-schema.ts";
import { assertAuthError, auditEvents, requestAs, type RunningService, startService } from "../support/service.ts";
import { acmeAndInitech, alice, signIn, signInFixture } from "../support/sign-in-fixture.ts";
import type { TestUser } from "../support/test-provider.ts";

interface Claim {
  domain: string;
  status: "verified" | "pending";
  txtName: string;
  txtValue: string;
  verifiedAt?: string;
  lastCheckedAt?: string;
}
type Added = { id: string; domains: string[]; claim: Claim };

const dan: TestUser = { sub: "dan-sub", email: "dan@acme.example", email_verified: true, name: "Dan" };

const postgresUrl = process.env.TEST_DATABASE_URL;
const databases = [
  { name: "SQLite", skip: false as const, config: async (): Promise<Partial<Config>> => ({}) },
  {
    name: "PostgreSQL",
    skip: postgresUrl ? (false as const) : "TEST_DATABASE_URL is not set (CI sets it)",
    config: async (t: TestContext): Promise<Partial<Config>> => ({
      database: { kind: "postgres" as const, url: await ownPostgresSchema(t, postgresUrl!) },
    }),
  },
];

/** A setup session of the organisation (a delegated admin's credential). */
async function setupSession(service: RunningService, orgId: string): Promise<{ token: string; linkId: string }> {
  const link = await service.admin<{ id: string; token: string }>("POST", `/api/v1/orgs/${orgId}/setup-links`, {});
  assert.equal(link.status, 201, link.text);
  const session = await service.request<{ sessionToken: string }>("POST", "/api/v1/setup-sessions", { token: link.body.token });
  assert.equal(session.status, 201, session.text);
  return { token: session.body.sessionToken, linkId: link.body.id };
}

const domainsOf = async (service: RunningService, orgId: string) => {
  const listed = await service.admin<Claim[]>("GET", `/api/v1/orgs/${orgId}/domains`);
  assert.equal(listed.status, 200, listed.text);
  return listed.body;
};
const claimOf = async (service: RunningService, orgId: string, domain: string) =>
  (await domainsOf(service, orgId)).find((c) => c.domain === domain);
const initAuth = (service: RunningService, email: string) =>
  service.request<{ orgName?: string }>("POST", "/userAccount/initAuth", { email });
const verify = (service: RunningService, token: string, orgId: string, domain: string) =>
  requestAs(service, token, "POST", `/api/v1/orgs/${orgId}/domains/${domain}/verify`);

/** Adds `domain` to the organisation as the delegated `token`: answered pending, with its record. */
async function claimAs(service: RunningService, token: string, orgId: string, domain: string): Promise<Claim> {
  const added = await requestAs(service, token, "POST", `/api/v1/orgs/${orgId}/domains`, { domain });
  assert.equal(added.status, 201, added.text);
  const body = added.body as unknown as Added;
  assert.equal(body.claim.status, "pending");
  assert.ok(!body.domains.includes(domain), "the organisation's domains list verified ones only");
  return body.claim;
}

/** A service whose TXT lookups go to a fresh loopback DNS server. */
async function withDns(t: TestContext, config: Partial<Config> = {}): Promise<{ dns: TxtDnsServer; config: Partial<Config> }> {
  const dns = await startTxtDnsServer(t);
  return { dns, config: { dnsServers: [dns.address], dnsTimeoutMs: 300, ...config } };
}

for (const database of databases) {
  describe(`domains an organisation has proven (${database.name})`, { skip: database.skip }, () => {
    test("a setup session's domain routes no sign-in until its TXT record is served, then does; the operator's is verified at once", async (t) => {
      const { dns, config } = await withDns(t, await database.config(t));
      const f = await signInFixture(t, { users: [alice, dan], config });
      const { service } = f;
      // Two organisations, so no single-organisation fallback: only a domain routes dan.
      const otherId = (await service.admin<{ id: string }>("POST", "/api/v1/orgs", { name: "Initech", domains: ["initech.test"] })).body.id;

      const operatorAdded = await service.admin<Added>("POST", `/api/v1/orgs/${otherId}/domains`, { domain: "initech.example" });
      assert.equal(operatorAdded.status, 201, operatorAdded.text);
      assert.equal(operatorAdded.body.claim.status, "verified", "the operator's word needs no record");
      assert.deepEqual(operatorAdded.body.domains, ["initech.example", "initech.test"]);

      const { token, linkId } = await setupSession(service, f.orgId);
      const claim = await claimAs(service, token, f.orgId, "ACME.example");
      assert.equal(claim.domain, "acme.example");
      assert.equal(claim.txtName, "_pipeshub-auth.acme.example");
      assert.match(claim.txtValue, /^pipeshub-auth-verification=[A-Za-z0-9_-]{32}$/);
      const listed = await requestAs(service, token, "GET", `/api/v1/orgs/${f.orgId}/domains`);
      assert.equal(listed.status, 200, listed.text);
      const [pending, verified] = listed.body as unknown as Claim[];
      assert.deepEqual(pending, claim);
      assert.equal(verified?.domain, "acme.test");
      assert.equal(verified?.status, "verified");
      assert.ok(verified?.verifiedAt, "an operator's domain (migrated or added) is verified at a time");
      assert.deepEqual((await service.admin<{ domains: string[] }>("GET", `/api/v1/orgs/${f.orgId}`)).body.domains, ["acme.test"]);

      // Pending: no routing — initAuth and exchange find no organisation for the address.
      assertAuthError(await initAuth(service, dan.email), 404, "ORG_NOT_FOUND");
      assertAuthError(await f.exchange({ code: await f.code(dan.sub), email: dan.email }), 404, "ORG_NOT_FOUND");

      // A check with nothing served says so, with the record to create; the claim stays pending.
      const none = assertAuthError(await verify(service, token, f.orgId, "acme.example"), 409, "DOMAIN_NOT_VERIFIED");
      assert.equal((none as unknown as { found: string }).found, "nxdomain");
      assert.match(none.message, /_pipeshub-auth\.acme\.example does not exist \(NXDOMAIN\)/);
      assert.ok(none.message.includes(claim.txtValue), "the message names the value to publish");
      dns.setTxt(claim.txtName, []);
      assert.equal(
        (assertAuthError(await verify(service, token, f.orgId, "acme.example"), 409, "DOMAIN_NOT_VERIFIED") as unknown as { found: string })
          .found,
        "no-records",
      );
      dns.setTxt(claim.txtName, ["v=spf1 -all", "pipeshub-auth-verification=someone-elses-value"]);
      const other = assertAuthError(await verify(service, token, f.orgId, "acme.example"), 409, "DOMAIN_NOT_VERIFIED");
      assert.equal((other as unknown as { found: string }).found, "other-values");
      assert.match(other.message, /someone-elses-value/, "what was found is shown");
      const checked = await claimOf(service, f.orgId, "acme.example");
      assert.equal(checked?.status, "pending");
      assert.ok(checked?.lastCheckedAt, "the failed check is remembered");
      assertAuthError(await initAuth(service, dan.email), 404, "ORG_NOT_FOUND");

      // Served: the check verifies it, and it routes from this moment on.
      dns.setTxt(claim.txtName, ["v=spf1 -all", claim.txtValue]);
      const proven = await verify(service, token, f.orgId, "acme.example");
      assert.equal(proven.status, 200, proven.text);
      assert.equal((proven.body as unknown as Claim).status, "verified");
      assert.equal((await initAuth(service, dan.email)).body.orgName, "Acme");
      assert.equal((await signIn(f, dan)).accessToken.split(".").length, 3, "dan signs in, provisioned just in time");
      assert.deepEqual((await service.admin<{ domains: string[] }>("GET", `/api/v1/orgs/${f.orgId}`)).body.domains, [
        "acme.example",
        "acme.test",
      ]);
      assert.equal((await verify(service, token, f.orgId, "acme.example")).status, 200, "a verified domain checks as verified");

      const actor = `setup-link:${linkId}`;
      assert.deepEqual(
        (await auditEvents(service, f.orgId, "org.domain_")).map((r) => [r.event, r.actor, r.changes]),
        [
          ["org.domain_added", actor, [{ field: "domains.acme.example", before: null, after: "pending" }]],
          ["org.domain_verified", actor, [{ field: "domains.acme.example", before: "pending", after: "verified" }]],
        ],
      );
    });

    test("a verified domain belongs to one organisation: a pending claim reserves nothing, the first to prove it wins", async (t) => {
      const { dns, config } = await withDns(t, await database.config(t));
      const { f, otherId } = await acmeAndInitech(t, config);
      const { service } = f;
      const acme = await setupSession(service, f.orgId);
      const initech = await setupSession(service, otherId);
      const acmeClaim = await claimAs(service, acme.token, f.orgId, "shared.example");
      const initechClaim = await claimAs(service, initech.token, otherId, "shared.example");
      assert.notEqual(acmeClaim.txtValue, initechClaim.txtValue, "each organisation's claim has its own record");
      // Acme's record proves Acme's claim only.
      dns.setTxt(acmeClaim.txtName, [acmeClaim.txtValue]);
      assertAuthError(await verify(service, initech.token, otherId, "shared.example"), 409, "DOMAIN_NOT_VERIFIED");
      assert.equal((await verify(service, acme.token, f.orgId, "shared.example")).status, 200);

      // Now Initech's record appears too: too late, the domain is Acme's.
      dns.setTxt(acmeClaim.txtName, [acmeClaim.txtValue, initechClaim.txtValue]);
      assertAuthError(await verify(service, initech.token, otherId, "shared.example"), 409, "CONFLICT");
      assert.equal((await claimOf(service, otherId, "shared.example"))?.status, "pending", "listed, never verified");
      assertAuthError(await service.admin("POST", `/api/v1/orgs/${otherId}/domains`, { domain: "shared.example" }), 409, "CONFLICT");
      assertAuthError(
        await requestAs(service, initech.token, "POST", `/api/v1/orgs/${otherId}/domains`, { domain: "acme.test" }),
        409,
        "CONFLICT",
      );
      assert.equal((await initAuth(service, "erin@shared.example")).body.orgName, "Acme");

      // At the store, two organisations proving one domain at the same moment: exactly one wins (the partial unique index).
      await claimAs(service, acme.token, f.orgId, "race.example");
      await claimAs(service, initech.token, otherId, "race.example");
      const at = new Date().toISOString();
      const outcomes = await Promise.all(
        [f.orgId, otherId].map((id) => service.app.store.organisations.verifyDomain(id, "race.example", at)),
      );
      assert.deepEqual(outcomes.sort(), ["taken", "verified"]);
    });
  });
}

describe("domain claims: each on its own, who may do what, the scheduled re-check", () => {
  test("verifying one domain never touches another: each has its own record, and its own state", async (t) => {
    const { dns, config } = await withDns(t);
    const { f } = await acmeAndInitech(t, config);
    const { token } = await setupSession(f.service, f.orgId);
    const one = await claimAs(f.service, token, f.orgId, "one.example");
    const two = await claimAs(f.service, token, f.orgId, "two.example");
    assert.notEqual(one.txtValue, two.txtValue);
    // Two's value published under one's name proves neither.
    dns.setTxt(one.txtName, [two.txtValue]);
    assertAuthError(await verify(f.service, token, f.orgId, "one.example"), 409, "DOMAIN_NOT_VERIFIED");
    dns.setTxt(one.txtName, [one.txtValue]);
    assert.equal((await verify(f.service, token, f.orgId, "one.example")).status, 200);
    const claims = await domainsOf(f.service, f.orgId);
    assert.deepEqual(
      claims.map((c) => [c.domain, c.status, c.lastCheckedAt === undefined]),
      [
        ["acme.test", "verified", true],
        ["one.example", "verified", false],
        ["two.example", "pending", true],
      ],
    );
    assert.deepEqual(
      claims.find((c) => c.domain === "two.example"),
      two,
      "untouched",
    );
    assertAuthError(await initAuth(f.service, "x@two.example"), 404, "ORG_NOT_FOUND");
    assertAuthError(await verify(f.service, token, f.orgId, "three.example"), 404, "NOT_FOUND");
    // Every pending claim is looked up each round: at most 20 at once.
    for (let i = 0; i < 19; i++) await claimAs(f.service, token, f.orgId, `pile-${i}.example`);
    const refused = assertAuthError(
      await requestAs(f.service, token, "POST", `/api/v1/orgs/${f.orgId}/domains`, { domain: "pile-19.example" }),
      409,
      "CONFLICT",
    );
    assert.match(refused.message, /at most 20 pending domains/);
  });

  test("a pending domain is no organisation domain for just-in-time sign-up, even as the only organisation, until proven", async (t) => {
    const { dns, config } = await withDns(t);
    const f = await signInFixture(t, { users: [dan], domains: ["acme.test"], config });
    const { token } = await setupSession(f.service, f.orgId);
    const claim = await claimAs(f.service, token, f.orgId, "acme.example");
    // The only organisation takes the address, but its (verified) domains do not include it.
    assertAuthError(await f.exchange({ code: await f.code(dan.sub), email: dan.email }), 404, "USER_NOT_FOUND");
    dns.setTxt(claim.txtName, [claim.txtValue]);
    assert.equal((await verify(f.service, token, f.orgId, "acme.example")).status, 200);
    assert.equal((await f.exchange({ code: await f.code(dan.sub), email: dan.email })).status, 200);
  });

  test("delegated admins add and remove pending domains of their own organisation only; a verified domain only the operator removes", async (t) => {
    const { config } = await withDns(t);
    const { f, otherId } = await acmeAndInitech(t, config);
    const { service } = f;
    const { accessToken } = await signIn(f, alice);
    // An organisation admin (alice, by her access token) claims a domain: pending, like a setup session's.
    await claimAs(service, accessToken, f.orgId, "alice.example");
    assert.equal((await requestAs(service, accessToken, "DELETE", `/api/v1/orgs/${f.orgId}/domains/alice.example`)).status, 204);
    assert.equal(await claimOf(service, f.orgId, "alice.example"), undefined);
    assertAuthError(await requestAs(service, accessToken, "DELETE", `/api/v1/orgs/${f.orgId}/domains/acme.test`), 403, "FORBIDDEN");
    assert.equal((await claimOf(service, f.orgId, "acme.test"))?.status, "verified", "still there");
    // Another organisation's domains are out of reach, to read and to write.
    for (const [method, path] of [
      ["GET", `/api/v1/orgs/${otherId}/domains`],
      ["POST", `/api/v1/orgs/${otherId}/domains`],
      ["POST", `/api/v1/orgs/${otherId}/domains/initech.test/verify`],
      ["DELETE", `/api/v1/orgs/${otherId}/domains/initech.test`],
    ] as const)
      assertAuthError(
        await requestAs(service, accessToken, method, path, method === "POST" ? { domain: "x.example" } : undefined),
        403,
        "FORBIDDEN",
      );
    // The operator removes a verified domain.
    assert.equal((await service.admin("DELETE", `/api/v1/orgs/${f.orgId}/domains/acme.test`)).status, 204);
    assert.deepEqual(
      (await auditEvents(service, f.orgId, "org.domain_removed")).map((r) => r.actor),
      [`org-admin:${(await service.app.store.users.findInOrganisation(f.orgId, "alice@acme.test"))!.id}`, "operator"],
    );
  });

  test("the service re-checks pending domains on its schedule and verifies one whose record appeared; a silent resolver is a timeout", async (t) => {
    const dns = await startTxtDnsServer(t);
    const clock = manualClock(Date.now());
    const service = await startService(t, { dnsServers: [dns.address], dnsTimeoutMs: 200, domainCheckIntervalSeconds: 600 }, { clock });
    const f = await signInFixture(t, { service });
    const { token } = await setupSession(service, f.orgId);
    const slow = await claimAs(service, token, f.orgId, "slow.example");
    dns.silence(slow.txtName);
    const timedOut = assertAuthError(await verify(service, token, f.orgId, "slow.example"), 409, "DOMAIN_NOT_VERIFIED");
    assert.equal((timedOut as unknown as { found: string }).found, "timeout");
    assert.match(timedOut.message, /did not answer in time/);
    // Removed, so the rounds below look up only what the test serves.
    assert.equal((await requestAs(service, token, "DELETE", `/api/v1/orgs/${f.orgId}/domains/slow.example`)).status, 204);

    const later = await claimAs(service, token, f.orgId, "later.example");
    await clock.advance(600_000);
    await waitFor(async () => (await claimOf(service, f.orgId, "later.example"))?.lastCheckedAt !== undefined);
    assert.equal((await claimOf(service, f.orgId, "later.example"))?.status, "pending", "nothing served yet");
    dns.setTxt(later.txtName, [later.txtValue]);
    await clock.advance(600_000);
    await waitFor(async () => (await claimOf(service, f.orgId, "later.example"))?.status === "verified");
    const [record] = await auditEvents(service, f.orgId, "org.domain_verified");
    assert.equal(record?.actor, "domain-check");
  });
});

/** Polls `done` until it holds: the round a moved clock started runs on its own. */
async function waitFor(done: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await done()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail("the scheduled re-check did not happen");
}
