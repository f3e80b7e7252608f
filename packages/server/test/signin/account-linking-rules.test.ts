/**
 * The account step's rules (signin/account-linking.ts) over in-memory ports: who a provider
 * identity signs in as, when a first sign-in may link an existing user, and when the identity's
 * email counts. No service is started.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Result } from "../../src/domain/failures.ts";
import type { ProviderIdentity } from "../../src/domain/identity.ts";
import type { ProviderLinking } from "../../src/domain/provider-linking.ts";
import type { ProviderSettings } from "../../src/domain/provider-settings.ts";
import type { UserRole } from "../../src/domain/user.ts";
import { checkIdentityEmail, linkOrProvisionAccount, planAccount, previewAccount } from "../../src/signin/account-linking.ts";
import { memoryPorts } from "../support/fakes.ts";
import { configuredProvider } from "../support/provider-connections.ts";

const OPERATOR: ProviderLinking = { identitySettingsSavedBy: "operator", linkExistingUsers: false };
const DELEGATED: ProviderLinking = { identitySettingsSavedBy: "delegated", linkExistingUsers: false };

/** One organisation (acme.test) with the provider `corp` and, for identities elsewhere, `other`. */
async function organisation(options: { linking?: ProviderLinking; settings?: Partial<ProviderSettings>; domains?: string[] } = {}) {
  const ports = memoryPorts();
  const org = await ports.organisations.create("Acme", options.domains ?? ["acme.test"]);
  const provider = {
    ...configuredProvider({ providerName: "corp", enableJit: true, ...options.settings }),
    id: "corp-id",
    orgId: org.id,
    linking: options.linking ?? OPERATOR,
  };
  const other = { ...configuredProvider({ providerName: "other" }), id: "other-id", orgId: org.id };
  ports.providers.add(provider);
  ports.providers.add(other);
  const user = (email: string, role: UserRole = "member") => ports.users.create(org.id, email, null, role);
  return { ...ports, org, provider, other, user };
}

const identity = (subject: string, email: string, emailVerified = true): ProviderIdentity => ({
  subject,
  email,
  emailVerified,
  name: "Jane Doe",
  source: "id_token",
});

const errorOf = (result: Result<unknown>) => (result.ok ? "ok" : result.error);

describe("signin rules: the (provider, subject) link decides who signs in", () => {
  test("an existing link signs in its user, whatever user the email names", async () => {
    const o = await organisation();
    const jane = await o.user("jane@acme.test");
    const joe = await o.user("joe@acme.test");
    await o.links.link(o.org.id, o.provider.id, "sub-jane", jane);
    const signedIn = await linkOrProvisionAccount(o, o.org, o.provider, identity("sub-jane", joe.email), joe.email, { ip: null });
    assert.equal(signedIn.ok && signedIn.value.id, jane.id);
    assert.equal(await o.links.subjectOf(o.provider.id, joe.id), undefined, "joe was not linked");
    assert.equal(o.audit.records.length, 0, "a returning sign-in records no link");
  });

  test("a first sign-in links the user with the email, once, and records identity.linked by that user", async () => {
    const o = await organisation();
    const jane = await o.user("jane@acme.test");
    const first = await linkOrProvisionAccount(o, o.org, o.provider, identity("sub-jane", "Jane@Acme.test"), "jane@acme.test", {
      ip: "192.0.2.1",
    });
    assert.equal(first.ok && first.value.id, jane.id);
    assert.equal(await o.links.subjectOf(o.provider.id, jane.id), "sub-jane");
    assert.deepEqual(
      o.audit.records.map((r) => [r.event, r.actor, r.ip, r.changes]),
      [["identity.linked", `user:${jane.id}`, "192.0.2.1", [{ field: "subject", before: null, after: "sub-jane" }]]],
    );
    await linkOrProvisionAccount(o, o.org, o.provider, identity("sub-jane", jane.email), jane.email, { ip: null });
    assert.equal(o.audit.records.length, 1, "the second sign-in made no link");
  });

  test("a user linked to another subject at this provider is never re-linked: IDENTITY_CONFLICT", async () => {
    const o = await organisation();
    const jane = await o.user("jane@acme.test");
    await o.links.link(o.org.id, o.provider.id, "sub-jane", jane);
    const spoofed = await linkOrProvisionAccount(o, o.org, o.provider, identity("sub-mallory", jane.email), jane.email, { ip: null });
    assert.equal(errorOf(spoofed), "IDENTITY_CONFLICT");
    assert.equal(await o.links.userFor(o.provider.id, "sub-mallory"), undefined);
    assert.equal(errorOf(await previewAccount(o, o.org, o.provider, identity("sub-mallory", jane.email), jane.email)), "IDENTITY_CONFLICT");
  });

  test("a disabled user is USER_DISABLED, linked or about to be", async () => {
    const o = await organisation();
    const jane = await o.user("jane@acme.test");
    const joe = await o.user("joe@acme.test");
    await o.links.link(o.org.id, o.provider.id, "sub-jane", jane);
    await o.users.update(o.org.id, jane.id, { status: "disabled" });
    await o.users.update(o.org.id, joe.id, { status: "disabled" });
    const ctx = { ip: null };
    assert.equal(
      errorOf(await linkOrProvisionAccount(o, o.org, o.provider, identity("sub-jane", jane.email), jane.email, ctx)),
      "USER_DISABLED",
    );
    assert.equal(
      errorOf(await linkOrProvisionAccount(o, o.org, o.provider, identity("sub-joe", joe.email), joe.email, ctx)),
      "USER_DISABLED",
    );
    assert.equal(
      errorOf(await linkOrProvisionAccount(o, o.org, o.provider, identity("sub-new", "new@acme.test"), "new@acme.test", ctx)),
      "ok",
    );
  });
});

describe("signin rules: just-in-time provisioning", () => {
  test("a new email in the organisation's domains is provisioned and linked, recording the user made", async () => {
    const o = await organisation();
    assert.deepEqual(await planAccount(o, o.org, o.provider, identity("sub-new", "new@acme.test"), "new@acme.test"), {
      ok: true,
      value: { kind: "provision" },
    });
    assert.equal((await previewAccount(o, o.org, o.provider, identity("sub-new", "new@acme.test"), "new@acme.test")).ok, true);
    assert.equal(await o.users.findInOrganisation(o.org.id, "new@acme.test"), undefined, "planning and previewing write nothing");
    const made = await linkOrProvisionAccount(o, o.org, o.provider, identity("sub-new", "new@acme.test"), "new@acme.test", { ip: null });
    assert.ok(made.ok);
    assert.deepEqual([made.value.email, made.value.fullName, made.value.role], ["new@acme.test", "Jane Doe", "member"]);
    assert.deepEqual(o.audit.records[0]?.changes, [
      { field: "subject", before: null, after: "sub-new" },
      { field: "user", before: null, after: made.value.id },
    ]);
  });

  test("with enableJit off, or for an address outside the organisation's domains, there is no account: USER_NOT_FOUND", async () => {
    const off = await organisation({ settings: { enableJit: false } });
    assert.equal(
      errorOf(await linkOrProvisionAccount(off, off.org, off.provider, identity("s", "new@acme.test"), "new@acme.test", { ip: null })),
      "USER_NOT_FOUND",
    );
    const on = await organisation();
    const outsider = await linkOrProvisionAccount(on, on.org, on.provider, identity("s", "someone@gmail.test"), "someone@gmail.test", {
      ip: null,
    });
    assert.equal(errorOf(outsider), "USER_NOT_FOUND");
    assert.equal((await on.users.findByEmail("someone@gmail.test")).length, 0);
    const open = await organisation({ domains: [] });
    assert.equal(
      errorOf(await planAccount(open, open.org, open.provider, identity("s", "someone@gmail.test"), "someone@gmail.test")),
      "ok",
      "an organisation claiming no domain provisions any address",
    );
  });
});

describe("signin rules: whom a provider may link, by who saved its identity settings", () => {
  // [saved by, linkExistingUsers, the existing user's role, has an identity elsewhere, linked?]
  const cases: [ProviderLinking["identitySettingsSavedBy"], boolean, UserRole, boolean, boolean][] = [
    ["operator", false, "member", false, true],
    ["operator", false, "member", true, true],
    ["operator", false, "admin", false, true],
    ["operator", false, "admin", true, false],
    ["delegated", false, "member", false, true],
    ["delegated", false, "member", true, false],
    ["delegated", false, "admin", false, false],
    ["delegated", false, "admin", true, false],
    ["delegated", true, "member", true, true],
    ["delegated", true, "admin", false, true],
    ["delegated", true, "admin", true, false],
  ];
  for (const [savedBy, linkExistingUsers, role, hasIdentity, linked] of cases) {
    test(`saved by ${savedBy}${linkExistingUsers ? " with linkExistingUsers" : ""}: ${role} ${hasIdentity ? "with" : "without"} an identity is ${linked ? "linked" : "LINK_NOT_ALLOWED"}`, async () => {
      const o = await organisation({ linking: { identitySettingsSavedBy: savedBy, linkExistingUsers } });
      const jane = await o.user("jane@acme.test", role);
      if (hasIdentity) await o.links.link(o.org.id, o.other.id, "elsewhere", jane);
      const preview = await previewAccount(o, o.org, o.provider, identity("sub-jane", jane.email), jane.email);
      const result = await linkOrProvisionAccount(o, o.org, o.provider, identity("sub-jane", jane.email), jane.email, { ip: null });
      assert.equal(errorOf(result), linked ? "ok" : "LINK_NOT_ALLOWED");
      assert.equal(errorOf(preview), errorOf(result), "the preview answers as the sign-in does");
      assert.equal(await o.links.subjectOf(o.provider.id, jane.id), linked ? "sub-jane" : undefined);
      assert.equal(o.audit.records.length, linked ? 1 : 0, "a refused link records nothing");
    });
  }

  test("the rules are about linking: a refused provider still signs in the user it already linked", async () => {
    const o = await organisation({ linking: DELEGATED });
    const admin = await o.user("admin@acme.test", "admin");
    await o.links.link(o.org.id, o.provider.id, "sub-admin", admin);
    const result = await linkOrProvisionAccount(o, o.org, o.provider, identity("sub-admin", admin.email), admin.email, { ip: null });
    assert.equal(result.ok && result.value.id, admin.id);
  });
});

describe("signin rules: the identity's email (checkIdentityEmail)", () => {
  const provider = (trustEmail: boolean) => configuredProvider({ trustEmail });

  test("must be the email named, compared without ASCII case; the identity's spelling is kept", () => {
    assert.deepEqual(checkIdentityEmail(identity("s", "Jane@ACME.test"), "jane@acme.test", provider(false)), {
      ok: true,
      value: "Jane@ACME.test",
    });
    assert.equal(errorOf(checkIdentityEmail(identity("s", "joe@acme.test"), "jane@acme.test", provider(false))), "EMAIL_MISMATCH");
    const none = { ...identity("s", ""), email: undefined };
    assert.equal(errorOf(checkIdentityEmail(none, "jane@acme.test", provider(true))), "EMAIL_MISMATCH", "no email at all");
  });

  test("a non-ASCII letter that lower-cases to an ASCII one (U+212A KELVIN SIGN) is another address: EMAIL_MISMATCH", () => {
    assert.equal("\u212Aim@acme.test".toLowerCase(), "kim@acme.test", "what a naive comparison would let through");
    assert.equal(errorOf(checkIdentityEmail(identity("s", "\u212Aim@acme.test"), "kim@acme.test", provider(false))), "EMAIL_MISMATCH");
  });

  test("must be verified, unless the provider is trusted for email (trustEmail)", () => {
    const unverified = identity("s", "jane@acme.test", false);
    assert.equal(errorOf(checkIdentityEmail(unverified, "jane@acme.test", provider(false))), "EMAIL_NOT_VERIFIED");
    assert.equal(errorOf(checkIdentityEmail(unverified, "jane@acme.test", provider(true))), "ok");
    assert.equal(
      errorOf(checkIdentityEmail({ ...unverified, email: "joe@acme.test" }, "jane@acme.test", provider(true))),
      "EMAIL_MISMATCH",
      "trust is no excuse for another address",
    );
  });
});
