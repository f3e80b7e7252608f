import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import type { TestContext } from "node:test";
import type { RunningService } from "./service.ts";
import { CLIENT_SECRET, REDIRECT_URI, signInFixture } from "./sign-in-fixture.ts";
import type { TestUser } from "./test-provider.ts";

/** Runs `work` over `items`, at most `width` at a time (the provider's logins are many round-trips). */
async function inBatches<T, R>(items: readonly T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += width) results.push(...(await Promise.all(items.slice(i, i + width).map(work))));
  return results;
}

/**
 * `users` new people × `each` concurrent exchanges of their own codes from the real test
 * provider: every exchange must answer 200 and leave one user and one identity link each.
 */
export async function concurrentFirstSignIns(
  t: TestContext,
  service: RunningService,
  options: { users: number; each: number },
): Promise<void> {
  // A domain of its own, so a database other tests use too resolves these emails to this organisation.
  const domain = `acme-${randomUUID().slice(0, 8)}.test`;
  const people: TestUser[] = Array.from({ length: options.users }, (_, i) => ({
    sub: `new-${i}`,
    email: `new${i}@${domain}`,
    email_verified: true,
    name: `New ${i}`,
  }));
  const f = await signInFixture(t, { service, users: people, domains: [domain] });
  const codes = await inBatches(
    people.flatMap((p) => Array.from({ length: options.each }, () => p)),
    8,
    async (p) => ({ person: p, code: await f.code(p.sub) }),
  );
  const answers = await Promise.all(codes.map(({ person, code }) => f.exchange({ code, email: person.email })));
  const refused = answers.filter((r) => r.status !== 200).map((r) => r.text);
  assert.deepEqual(refused, [], `${refused.length} of ${answers.length} first sign-ins refused`);
  const users = await service.app.store.db.selectFrom("users").select(["id", "email"]).where("org_id", "=", f.orgId).execute();
  assert.equal(users.length, options.users, "one user per person");
  const links = await service.app.store.db
    .selectFrom("identity_links")
    .select(["subject", "user_id"])
    .where("org_id", "=", f.orgId)
    .execute();
  assert.equal(links.length, options.users, "one link per person");
  const byId = new Map(users.map((u) => [u.id, u.email]));
  for (const link of links) assert.equal(byId.get(link.user_id), `${link.subject.replace("new-", "new")}@${domain}`);
}

/** `count` concurrent PUTs of one new provider: each 200 or 201 (one 201), one row. */
export async function concurrentProviderPuts(service: RunningService, count: number): Promise<void> {
  const org = await service.admin<{ id: string }>("POST", "/api/v1/orgs", { name: "Initech", domains: [] });
  assert.equal(org.status, 201, org.text);
  const put = (i: number) =>
    service.admin("PUT", `/api/v1/orgs/${org.body.id}/oauth-providers/okta`, {
      clientId: `client-${i}`,
      clientSecret: CLIENT_SECRET,
      authorizationUrl: "https://idp.initech.test/authorize",
      tokenEndpoint: "https://idp.initech.test/token",
      userInfoEndpoint: "https://idp.initech.test/userinfo",
      redirectUris: [REDIRECT_URI],
    });
  // Connections open first: on a cold PostgreSQL pool each PUT waits for a handshake of its own,
  // which spreads the writes out so that they never overlap and a read-then-insert passes too.
  await Promise.all(Array.from({ length: count }, () => service.admin("GET", `/api/v1/orgs/${org.body.id}/oauth-providers`)));
  const answers = await Promise.all(Array.from({ length: count }, (_, i) => put(i)));
  assert.deepEqual(
    answers.filter((r) => r.status !== 200 && r.status !== 201).map((r) => r.text),
    [],
  );
  assert.equal(answers.filter((r) => r.status === 201).length, 1, "one of them created it");
  const rows = await service.app.store.db.selectFrom("providers").select("id").where("org_id", "=", org.body.id).execute();
  assert.equal(rows.length, 1);
}
