import type { SecretBox } from "../keys/secret-box.ts";
import { auditTrailRepository } from "./audit-trail.ts";
import { authStepRepository } from "./auth-steps.ts";
import type { Db } from "./database.ts";
import { identityLinkRepository } from "./identity-links.ts";
import { organisationRepository } from "./organisations.ts";
import { providerRepository } from "./providers.ts";
import { userRepository } from "./users.ts";

/** Every repository over one database. */
export function createStore(db: Db, secrets: SecretBox) {
  return {
    db,
    organisations: organisationRepository(db),
    users: userRepository(db),
    providers: providerRepository(db, secrets),
    links: identityLinkRepository(db),
    audit: auditTrailRepository(db),
    authSteps: authStepRepository(db),
  };
}

export type Store = ReturnType<typeof createStore>;
