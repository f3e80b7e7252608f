/**
 * For the SAML rule corpus (test/saml/*rules*.test.ts): validate a response the test IdP made for
 * a provider configured for it, and assert either that it passes or that one named rule refuses it.
 */
import assert from "node:assert/strict";
import type { Failure, Result } from "../../src/domain/failures.ts";
import type { ConfiguredSamlProvider, SamlProviderSettings } from "../../src/domain/saml-provider.ts";
import { type SamlAssertion, validateSamlResponse } from "../../src/saml/response.ts";
import type { SamlIdp, SamlIdpResponseOptions } from "./saml-idp.ts";
import { samlProviderFor } from "./saml-provider-fixture.ts";

/** The AuthnRequest the sign-in under test sent. */
export const REQUEST_ID = "_9d2c5e0b6a1f4c7e8b3a2d1c0f9e8d7c6b5a4f3e";

export interface RuleCase {
  /** What the IdP sends (default: a good response to REQUEST_ID). */
  readonly response?: Omit<SamlIdpResponseOptions, "sp">;
  /** The provider's settings (default: the IdP's entity ID, SSO URL and certificates, strict rules). */
  readonly settings?: Partial<SamlProviderSettings> & Pick<Partial<ConfiguredSamlProvider>, "spKey">;
  /** The request this sign-in expects answered; `undefined`: none (IdP-initiated). Default REQUEST_ID. */
  readonly expectRequestId?: string | undefined;
  readonly now?: Date;
  /** Replaces the whole form value (for inputs that are not an IdP's response at all). */
  readonly samlResponse?: string;
}

export async function validateCase(idp: SamlIdp, c: RuleCase = {}): Promise<Result<SamlAssertion>> {
  const provider = samlProviderFor(idp, c.settings);
  const samlResponse = c.samlResponse ?? (await idp.response({ requestId: REQUEST_ID, ...c.response, sp: provider.sp }));
  return validateSamlResponse(provider, samlResponse, {
    requestId: "expectRequestId" in c ? c.expectRequestId : REQUEST_ID,
    now: c.now ?? new Date(),
  });
}

export async function accepted(idp: SamlIdp, c: RuleCase = {}): Promise<SamlAssertion> {
  const result = await validateCase(idp, c);
  assert.ok(result.ok, `expected the response to pass, got ${JSON.stringify(result)}`);
  return result.value;
}

export async function refused(idp: SamlIdp, failureId: Failure["error"], c: RuleCase = {}): Promise<Failure> {
  const result = await validateCase(idp, c);
  assert.equal(result.ok, false, `expected ${failureId}, but the response passed: ${JSON.stringify(result)}`);
  assert.equal((result as Failure).error, failureId, (result as Failure).message);
  return result as Failure;
}

/** The one Assertion element of a response's XML (as the IdP wrote it, signature included). */
export function assertionOf(xml: string): string {
  const match = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(xml);
  assert.ok(match, "the response has an assertion");
  return match[0];
}
