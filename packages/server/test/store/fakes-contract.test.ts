/**
 * The in-memory fakes of test/support/fakes.ts hold to the same contract as the Kysely
 * repositories on SQLite: each check runs against both, so a rule tested over a fake is tested
 * over what the service really does.
 */
import assert from "node:assert/strict";
import { describe, test, type TestContext } from "node:test";
import type { AuditEvent } from "../../src/domain/audit.ts";
import {
  AlreadyExistsError,
  type AuditTrail,
  type IdentityLinkRepository,
  type OrganisationRepository,
  type ProviderRepository,
  type UserRepository,
} from "../../src/domain/ports/repositories.ts";
import { createSecretBox } from "../../src/keys/secret-box.ts";
import { openDatabase } from "../../src/store/database.ts";
import { createStore } from "../../src/store/store.ts";
import { memoryPorts } from "../support/fakes.ts";
import { configuredProvider } from "../support/provider-connections.ts";

/** What the contract checks use: the ports, and a way to have a provider (by name) in an organisation. */
interface Ports {
  readonly organisations: OrganisationRepository;
  readonly users: UserRepository;
  readonly links: IdentityLinkRepository;
  readonly audit: Pick<AuditTrail, "record" | "page">;
  readonly providers: Pick<ProviderRepository, "configured">;
  /** Adds the provider `name` (client secret "the-secret") to the organisation; answers its id. */
  addProvider(orgId: string, name: string): Promise<string>;
}

const implementations: [string, (t: TestContext) => Promise<Ports>][] = [
  [
    "in memory",
    async () => {
      const ports = memoryPorts();
      let count = 0;
      return {
        ...ports,
        async addProvider(orgId, name) {
          const provider = { ...configuredProvider({ providerName: name }, "the-secret"), orgId, id: `provider-${++count}` };
          ports.providers.add(provider);
          return provider.id;
        },
      };
    },
  ],
  [
    "Kysely on SQLite",
    async (t) => {
      const db = await openDatabase({ kind: "sqlite", path: ":memory:" });
      t.after(() => db.destroy());
      const store = createStore(db, createSecretBox(Buffer.alloc(32, 3)));
      return {
        ...store,
        async addProvider(orgId, name) {
          const { settings } = configuredProvider({ providerName: name, issuer: "https://idp.example" });
          const put = await store.providers.put(orgId, settings, "the-secret", { identityLinksSurvive: () => true });
          assert.ok(put.ok, JSON.stringify(put));
          return (await store.providers.configured(orgId, name))!.id;
        },
      };
    },
  ],
];

const event = (orgId: string | null, overrides: Partial<AuditEvent> = {}): AuditEvent => ({
  orgId,
  userId: null,
  email: "joe@acme.test",
  provider: "corp",
  event: "exchange",
  outcome: "success",
  error: null,
  ip: null,
  ...overrides,
});

for (const [name, open] of implementations) {
  describe(`the ports' contract: ${name}`, () => {
    test("organisations: domains lower-cased and claimed once; found by domain case-insensitively; listed oldest first", async (t) => {
      const p = await open(t);
      const acme = await p.organisations.create("Acme", ["Acme.test", "acme.test"]);
      assert.deepEqual(acme.domains, ["acme.test"]);
      await assert.rejects(p.organisations.create("Other", ["ACME.TEST"]), AlreadyExistsError);
      const beta = await p.organisations.create("Beta", []);
      assert.equal((await p.organisations.findByDomain("ACME.test"))?.id, acme.id);
      assert.equal(await p.organisations.findByDomain("beta.test"), undefined);
      assert.deepEqual(await p.organisations.get(beta.id), beta);
      assert.equal(await p.organisations.get("0000000000000000000000000000000a"), undefined);
      assert.deepEqual(
        (await p.organisations.list()).map((o) => o.name),
        ["Acme", "Beta"],
      );
      assert.deepEqual(
        (await p.organisations.list(1)).map((o) => o.name),
        ["Acme"],
      );
    });

    test("organisations: renamed; a domain added (lower-cased) once across organisations, removed only where claimed; removed whole", async (t) => {
      const p = await open(t);
      const acme = await p.organisations.create("Acme", ["acme.test"]);
      const beta = await p.organisations.create("Beta", ["beta.test"]);
      assert.deepEqual(await p.organisations.rename(acme.id, "Acme Corp"), { ...acme, name: "Acme Corp" });
      assert.equal(await p.organisations.rename("0000000000000000000000000000000a", "Nobody"), undefined);
      assert.deepEqual((await p.organisations.addDomain(acme.id, "ACME.example"))?.domains, ["acme.example", "acme.test"]);
      await assert.rejects(p.organisations.addDomain(beta.id, "Acme.Example"), AlreadyExistsError);
      await assert.rejects(p.organisations.addDomain(acme.id, "acme.test"), AlreadyExistsError);
      assert.equal(await p.organisations.addDomain("0000000000000000000000000000000a", "free.test"), undefined);
      assert.equal(await p.organisations.removeDomain(beta.id, "acme.test"), false, "another organisation's domain");
      assert.equal(await p.organisations.removeDomain(acme.id, "ACME.test"), true);
      assert.equal(await p.organisations.removeDomain(acme.id, "acme.test"), false);
      assert.equal(await p.organisations.findByDomain("acme.test"), undefined);
      assert.equal((await p.organisations.findByDomain("acme.example"))?.id, acme.id);
      assert.equal(await p.organisations.remove(acme.id), true);
      assert.equal(await p.organisations.remove(acme.id), false);
      assert.equal(await p.organisations.get(acme.id), undefined);
      assert.equal(await p.organisations.findByDomain("acme.example"), undefined);
      assert.deepEqual(
        (await p.organisations.list()).map((o) => o.name),
        ["Beta"],
      );
    });

    test("users: an email is taken once per organisation, case-insensitively; createOrGet finds it; updates stay in their organisation", async (t) => {
      const p = await open(t);
      const acme = await p.organisations.create("Acme", []);
      const beta = await p.organisations.create("Beta", ["beta.test"]);
      const jane = await p.users.create(acme.id, "Jane@acme.test", "Jane");
      assert.deepEqual([jane.role, jane.status, jane.email], ["member", "active", "Jane@acme.test"]);
      await assert.rejects(p.users.create(acme.id, "jane@ACME.test", null), AlreadyExistsError);
      assert.deepEqual(await p.users.createOrGet(acme.id, "JANE@acme.test", "Other"), jane);
      const elsewhere = await p.users.create(beta.id, "jane@acme.test", null, "admin");
      assert.equal(elsewhere.role, "admin");
      assert.deepEqual(await p.users.findInOrganisation(acme.id, "jane@Acme.Test"), jane);
      assert.deepEqual(
        (await p.users.findByEmail("JANE@acme.test")).map((u) => u.orgId),
        [acme.id, beta.id],
      );
      assert.equal(await p.users.update(beta.id, jane.id, { status: "disabled" }), undefined, "another organisation's user");
      const disabled = await p.users.update(acme.id, jane.id, { status: "disabled" });
      assert.deepEqual(disabled, { ...jane, status: "disabled" });
      assert.deepEqual(await p.users.get(jane.id), disabled);
      assert.deepEqual(await p.users.update(acme.id, jane.id, {}), disabled, "nothing given, nothing changed");
      assert.deepEqual(
        (await p.users.list(acme.id)).map((u) => u.id),
        [jane.id],
      );
    });

    test("links: a subject links one user and a user one subject per provider; a repeat is linked but not made; a race's loser is a conflict", async (t) => {
      const p = await open(t);
      const org = await p.organisations.create("Acme", []);
      const corp = await p.addProvider(org.id, "corp");
      const other = await p.addProvider(org.id, "other");
      const jane = await p.users.create(org.id, "jane@acme.test", null);
      const joe = await p.users.create(org.id, "joe@acme.test", null);
      assert.equal(await p.links.hasIdentity(jane.id), false);

      assert.deepEqual(await p.links.link(org.id, corp, "sub-jane", jane), { kind: "linked", user: jane, made: true });
      assert.deepEqual(await p.links.link(org.id, corp, "sub-jane", jane), { kind: "linked", user: jane, made: false });
      assert.deepEqual(await p.links.link(org.id, corp, "sub-jane", joe), { kind: "conflict" }, "the subject is jane's");
      assert.deepEqual(await p.links.link(org.id, corp, "sub-other", jane), { kind: "conflict" }, "jane has a subject here");
      assert.deepEqual(await p.links.link(org.id, other, "sub-jane", jane), { kind: "linked", user: jane, made: true }, "another provider");

      assert.deepEqual(await p.links.userFor(corp, "sub-jane"), jane);
      assert.equal(await p.links.userFor(corp, "sub-other"), undefined);
      assert.equal(await p.links.subjectOf(corp, jane.id), "sub-jane");
      assert.equal(await p.links.subjectOf(corp, joe.id), undefined);
      assert.equal(await p.links.hasIdentity(jane.id), true);
      assert.deepEqual(
        (await p.links.identitiesOf(jane.id)).map((i) => [i.provider, i.subject]),
        [
          ["corp", "sub-jane"],
          ["other", "sub-jane"],
        ],
      );

      assert.equal(await p.links.unlink(org.id, jane.id, "nowhere"), undefined);
      assert.equal(await p.links.unlink(org.id, jane.id, "corp"), "sub-jane");
      assert.equal(await p.links.userFor(corp, "sub-jane"), undefined);
    });

    test("links: provisioning creates the user (or takes the one with the email) and links it", async (t) => {
      const p = await open(t);
      const org = await p.organisations.create("Acme", []);
      const corp = await p.addProvider(org.id, "corp");
      const made = await p.links.provisionAndLink(org.id, corp, "sub-new", "New@acme.test", "New Person");
      assert.ok(made.kind === "linked" && made.made);
      assert.deepEqual([made.user.email, made.user.fullName, made.user.role], ["New@acme.test", "New Person", "member"]);
      assert.deepEqual(await p.users.findInOrganisation(org.id, "new@acme.test"), made.user);
      const again = await p.links.provisionAndLink(org.id, corp, "sub-new", "new@acme.test", null);
      assert.deepEqual(again, { kind: "linked", user: made.user, made: false });
      assert.deepEqual(await p.links.provisionAndLink(org.id, corp, "sub-else", "new@acme.test", null), { kind: "conflict" });
    });

    test("providers: the sign-in reads a provider by organisation and name, with its secret opened", async (t) => {
      const p = await open(t);
      const org = await p.organisations.create("Acme", []);
      const other = await p.organisations.create("Other", []);
      const id = await p.addProvider(org.id, "corp");
      const corp = await p.providers.configured(org.id, "corp");
      assert.deepEqual([corp?.id, corp?.orgId, corp?.settings.providerName, corp?.clientSecret], [id, org.id, "corp", "the-secret"]);
      assert.equal(await p.providers.configured(other.id, "corp"), undefined);
      assert.equal(await p.providers.configured(org.id, "Corp"), undefined);
    });

    test("audit: newest first, a page at a time by cursor, by organisation and filter", async (t) => {
      const p = await open(t);
      const org = await p.organisations.create("Acme", []);
      await p.audit.record(event(org.id, { event: "exchange", email: "Jane@acme.test" }));
      await p.audit.record(event(org.id, { event: "authenticate", outcome: "failure", error: "INVALID_GRANT" }));
      await p.audit.record(event(org.id, { event: "logout", actor: "user:1", changes: [{ field: "f", before: null, after: "x" }] }));
      await p.audit.record(event("elsewhere"));
      await p.audit.record(event(null));
      const first = await p.audit.page(org.id, 2);
      assert.deepEqual(
        first.records.map((r) => r.event),
        ["logout", "authenticate"],
      );
      assert.deepEqual([first.records[0]!.actor, first.records[0]!.changes], ["user:1", [{ field: "f", before: null, after: "x" }]]);
      assert.deepEqual([first.records[1]!.actor, first.records[1]!.changes], [null, null]);
      assert.ok(first.nextCursor);
      const rest = await p.audit.page(org.id, 2, first.nextCursor);
      assert.deepEqual(
        rest.records.map((r) => r.event),
        ["exchange"],
      );
      assert.equal(rest.nextCursor, null);
      assert.deepEqual(
        (await p.audit.page(org.id, 10, undefined, { email: "JANE@ACME.TEST" })).records.map((r) => r.event),
        ["exchange"],
      );
      assert.deepEqual(
        (await p.audit.page(org.id, 10, undefined, { outcome: "failure" })).records.map((r) => r.error),
        ["INVALID_GRANT"],
      );
      assert.equal((await p.audit.page(null, 10)).records.length, 1, "records of no organisation");
    });
  });
}
