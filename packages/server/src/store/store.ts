import type { SecretBox } from "../domain/ports/keys.ts";
import { auditTrailRepository } from "./audit-trail.ts";
import { authStepRepository } from "./auth-steps.ts";
import { consoleSessionRepository } from "./console-sessions.ts";
import { domainClaimRepository } from "./domain-claims.ts";
import type { Db } from "./database.ts";
import { identityLinkRepository } from "./identity-links.ts";
import { organisationRepository } from "./organisations.ts";
import { providerWatchRepository } from "./provider-watch.ts";
import { providerRepository } from "./providers.ts";
import { refreshTokenRepository } from "./refresh-tokens.ts";
import { sealedSecretRepository } from "./sealed-secrets.ts";
import { setupLinkRepository } from "./setup-links.ts";
import { signingKeyRepository } from "./signing-keys.ts";
import { userDirectory } from "./user-directory.ts";
import { userRepository } from "./users.ts";

/** Every repository over one database (and the database, for the composition root and tests). */
export function createStore(db: Db, secrets: SecretBox) {
  return {
    db,
    organisations: organisationRepository(db),
    domainClaims: domainClaimRepository(db),
    users: userRepository(db),
    userDirectory: userDirectory(db),
    providers: providerRepository(db, secrets),
    links: identityLinkRepository(db),
    audit: auditTrailRepository(db),
    authSteps: authStepRepository(db),
    refreshTokens: refreshTokenRepository(db),
    signingKeys: signingKeyRepository(db),
    sealedSecrets: sealedSecretRepository(db, secrets),
    providerWatch: providerWatchRepository(db),
    setupLinks: setupLinkRepository(db),
    consoleSessions: consoleSessionRepository(db),
  };
}

/** Every repository, and the database they share. */
export type Store = ReturnType<typeof createStore>;
