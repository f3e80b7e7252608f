import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { freshDatabase } from "../support/fresh-database.ts";
import { assertAuthError, auditEvents, bearer, refreshWith } from "../support/service.ts";
import { acmeAndInitech, alice, bob, signIn, signInFixture } from "../support/sign-in-fixture.ts";

const postgresUrl = process.env.TEST_DATABASE_URL;

type ListedUser = {
  id: string;
  email: string;
  fullName: string | null;
  identities: { provider: string; subject: string; linkedAt: string }[];
  lastSignInAt: string | null;
};

for (const engine of ["SQLite", "PostgreSQL"] as const) {
  const skip = engine === "PostgreSQL" && !postgresUrl ? "TEST_DATABASE_URL is not set (CI sets it)" : false;

  describe(`the operator's user list: GET /api/v1/orgs/{orgId}/users?q=&limit=&cursor= (${engine})`, { skip }, () => {
    test("q narrows by email or full name, case-insensitively; limit and x-next-cursor page through without repeats or gaps", async (t) => {
      const config = engine === "PostgreSQL" ? { database: await freshDatabase(t, "postgres") } : {};
      const f = await signInFixture(t, { users: [alice, bob], config });
      const users = `/api/v1/orgs/${f.orgId}/users`;
      const made: string[] = [];
      for (let i = 1; i <= 7; i++) {
        // Some match by email only, some by full name only.
        const person =
          i % 2 === 0
            ? { email: `listed${i}@acme.test`, fullName: `Person ${i}` }
            : { email: `p${i}@acme.test`, fullName: `Listed Person ${i}` };
        const created = await f.service.admin<{ id: string }>("POST", users, person);
        assert.equal(created.status, 201, created.text);
        made.push(created.body.id);
      }
      await f.service.admin("POST", users, { email: "someone-else@acme.test", fullName: "Someone Else" });

      const seen: string[] = [];
      const pages: number[] = [];
      let cursor: string | null = null;
      do {
        const query: string = `?q=LISTED&limit=3${cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`}`;
        const page = await f.service.admin<ListedUser[]>("GET", users + query);
        assert.equal(page.status, 200, page.text);
        pages.push(page.body.length);
        seen.push(...page.body.map((u) => u.id));
        cursor = page.headers.get("x-next-cursor");
      } while (cursor !== null && pages.length < 10);
      assert.deepEqual(pages, [3, 3, 1], "three pages, the last without a next cursor");
      assert.deepEqual(seen, made, "every match once, oldest first");

      const one = await f.service.admin<ListedUser[]>("GET", `${users}?q=p3@ACME`);
      assert.deepEqual(
        one.body.map((u) => u.email),
        ["p3@acme.test"],
      );
      const literal = await f.service.admin<ListedUser[]>("GET", `${users}?q=${encodeURIComponent("%")}`);
      assert.deepEqual(literal.body, [], "a % in q matches only a %");
      const all = await f.service.admin<ListedUser[]>("GET", users);
      assert.equal(all.body.length, 8, "without q, every user (up to 50)");
      assert.equal(all.headers.get("x-next-cursor"), null);
      const byEmail = await f.service.admin<ListedUser[]>("GET", `${users}?email=P5@acme.test`);
      assert.deepEqual(
        byEmail.body.map((u) => u.id),
        [made[4]],
        "email= still finds the one user",
      );
      assertAuthError(await f.service.admin("GET", `${users}?limit=0`), 400, "VALIDATION_ERROR");
      assert.equal((await f.service.admin<ListedUser[]>("GET", `${users}?limit=999`)).status, 200, "a large limit is held to 200");
    });

    test("each user carries their identities and last sign-in, from their latest sign-in", async (t) => {
      const config = engine === "PostgreSQL" ? { database: await freshDatabase(t, "postgres") } : {};
      const f = await signInFixture(t, { users: [alice, bob], config });
      const users = `/api/v1/orgs/${f.orgId}/users`;
      assert.equal((await f.service.admin("POST", users, { email: bob.email })).status, 201);
      const started = Date.now();
      await signIn(f, alice);
      await signIn(f, alice);
      const listed = await f.service.admin<ListedUser[]>("GET", users);
      assert.equal(listed.status, 200, listed.text);
      const [bobListed, aliceListed] = listed.body;
      assert.deepEqual([bobListed?.email, bobListed?.identities, bobListed?.lastSignInAt], [bob.email, [], null], "never signed in");
      assert.equal(aliceListed?.email, alice.email);
      assert.deepEqual(
        aliceListed?.identities.map(({ provider, subject }) => ({ provider, subject })),
        [{ provider: "acme-idp", subject: alice.sub }],
      );
      assert.ok(Date.parse(aliceListed!.identities[0]!.linkedAt) >= started - 1000);
      const last = Date.parse(aliceListed!.lastSignInAt ?? "");
      assert.ok(last >= Date.parse(aliceListed!.identities[0]!.linkedAt) && last <= Date.now(), aliceListed?.lastSignInAt ?? "none");
    });
  });
}

describe("DELETE /api/v1/orgs/{orgId}/users/{userId}/sessions: the operator ends a user's sessions", () => {
  test("every sign-in of theirs is refused from then on, their console session ends, they may sign in again; recorded", async (t) => {
    const { f, aliceId } = await acmeAndInitech(t);
    const { service } = f;
    const org = `/api/v1/orgs/${f.orgId}`;
    const laptop = await signIn(f, alice);
    const phone = await signIn(f, alice);
    const member = await signIn(f, bob);
    const opened = await service.request("POST", "/admin/session", { accessToken: laptop.accessToken });
    assert.equal(opened.status, 204, opened.text);
    const console = { cookie: opened.headers.get("set-cookie")!.split(";")[0]!, "x-pipeshub-console": "1" };
    assert.equal((await service.request("GET", org, undefined, console)).status, 200);

    // Not for an organisation admin, nor for a user of another organisation.
    const bobId = (await service.admin<ListedUser[]>("GET", `${org}/users?email=${bob.email}`)).body[0]!.id;
    assertAuthError(
      await service.request("DELETE", `${org}/users/${bobId}/sessions`, undefined, bearer(phone.accessToken)),
      403,
      "FORBIDDEN",
    );
    assertAuthError(await service.request("DELETE", `${org}/users/${bobId}/sessions`, undefined, console), 403, "FORBIDDEN");
    assertAuthError(await service.request("GET", `${org}/users`, undefined, bearer(phone.accessToken)), 403, "FORBIDDEN");
    assertAuthError(await service.admin("DELETE", `/api/v1/orgs/${f.orgId}/users/not-a-user/sessions`), 404, "NOT_FOUND");
    const refreshed = await refreshWith(service, member.refreshToken);
    assert.equal(refreshed.status, 200, "bob's session outlived the refused requests");

    const ended = await service.admin<{ ended: number }>("DELETE", `${org}/users/${aliceId}/sessions`);
    assert.equal(ended.status, 200, ended.text);
    assert.deepEqual(ended.body, { ended: 2 });

    for (const session of [laptop, phone]) assertAuthError(await refreshWith(service, session.refreshToken), 401, "INVALID_TOKEN");
    const live = await service.admin<{ sessions: { userId: string | null }[] }>("GET", "/api/v1/console-sessions");
    assert.equal(live.status, 200, live.text);
    assert.deepEqual(
      live.body.sessions.filter((s) => s.userId === aliceId),
      [],
      "her console session is gone, not only refused",
    );
    assertAuthError(await service.request("GET", org, undefined, console), 401, "UNAUTHORIZED");
    assert.equal((await refreshWith(service, refreshed.body.refreshToken)).status, 200, "nobody else's session ended");

    const [event, ...more] = (await auditEvents(service, f.orgId, "user.")).filter((r) => r.event === "user.sessions_ended");
    assert.deepEqual(more, []);
    assert.deepEqual(
      { outcome: event?.outcome, userId: event?.userId, email: event?.email, actor: event?.actor },
      { outcome: "success", userId: aliceId, email: alice.email, actor: "operator" },
    );

    const again = await signIn(f, alice);
    assert.equal((await refreshWith(service, again.refreshToken)).status, 200, "she may sign in again");
    assert.deepEqual((await service.admin<{ ended: number }>("DELETE", `${org}/users/${aliceId}/sessions`)).body, { ended: 1 });
  });
});
