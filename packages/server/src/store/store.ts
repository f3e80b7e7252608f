import type { SecretBox } from "../domain/ports/keys.ts";
import { auditTrailRepository } from "./audit-trail.ts";
import { authStepRepository } from "./auth-steps.ts";
import { consoleSessionRepository } from "./console-sessions.ts";
import { domainClaimRepository } from "./domain-claims.ts";
import type { Db } from "./database.ts";
import { identityLinkRepository } from "./identity-links.ts";
import { introspectionTokenRepository } from "./introspection-tokens.ts";
import { organisationRepository } from "./organisations.ts";
import { providerWatchRepository } from "./provider-watch.ts";
import { providerRepository } from "./providers.ts";
import { refreshTokenRepository } from "./refresh-tokens.ts";
import { scimRepository } from "./scim.ts";
import { samlProviderRepository } from "./saml-providers.ts";
import { sealedSecretRepository } from "./sealed-secrets.ts";
import { setupLinkRepository } from "./setup-links.ts";
import { signingKeyRepository } from "./signing-keys.ts";
import { userDirectory } from "./user-directory.ts";
import { userRepository } from "./users.ts";

/** Every repository over one database (and the database, for the composition root and tests). */
/**
 * `publicUrl`: the service's public URL, which SAML providers' SP endpoints are under (the composition root passes
 * PUBLIC_URL; tests that do not look at those endpoints may leave it out).
 */
export function createStore(db: Db, secrets: SecretBox, publicUrl = "http://localhost") {
  return {
    db,
    organisations: organisationRepository(db),
    domainClaims: domainClaimRepository(db),
    users: userRepository(db),
    userDirectory: userDirectory(db),
    providers: providerRepository(db, secrets),
    samlProviders: samlProviderRepository(db, secrets, publicUrl),
    links: identityLinkRepository(db),
    audit: auditTrailRepository(db),
    authSteps: authStepRepository(db),
    refreshTokens: refreshTokenRepository(db),
    signingKeys: signingKeyRepository(db),
    sealedSecrets: sealedSecretRepository(db, secrets),
    providerWatch: providerWatchRepository(db),
    setupLinks: setupLinkRepository(db),
    consoleSessions: consoleSessionRepository(db),
    scim: scimRepository(db),
    introspectionTokens: introspectionTokenRepository(db),
  };
}

/** Every repository, and the database they share. */
export type Store = ReturnType<typeof createStore>;
