import type { FastifyPluginAsync } from "fastify";
import type { AuditAdministration } from "../../admin/audit.ts";
import type { ConsoleSessionDeps } from "../../admin/console-sessions.ts";
import type { DomainClaimDeps } from "../../admin/domain-claims.ts";
import type { IdentityAdministration } from "../../admin/identities.ts";
import type { OrgAdminDeps } from "../../admin/org-admins.ts";
import type { ProviderHealthDeps } from "../../admin/provider-health.ts";
import type { SetupLinkDeps } from "../../admin/setup-links.ts";
import type { KeyAdministration } from "../../admin/keys.ts";
import type { ProviderDoctorDeps } from "../../admin/provider-doctor.ts";
import type { ProviderAdministration, ProviderCheckDeps } from "../../admin/providers.ts";
import type { SamlProviderAdministration } from "../../admin/saml-providers.ts";
import type { SignInStepAdministration } from "../../admin/sign-in-steps.ts";
import type { UserSessionDeps } from "../../admin/user-sessions.ts";
import type { UserAdministration } from "../../admin/users.ts";
import type { ScimRepository } from "../../domain/scim.ts";
import type { AuditTrail, ProviderWatchRepository } from "../../domain/ports/repositories.ts";
import type { ProviderNetworkAllowList } from "../../domain/provider-network.ts";
import type { TestSignInDeps } from "../../signin/test-sign-in.ts";
import { errorResponses } from "../error-handling.ts";
import { adminAccess } from "./admin-token.ts";
import { auditRoutes } from "./audit-routes.ts";
import { authMethodRoutes } from "./auth-method-routes.ts";
import { eventRoutes } from "./event-routes.ts";
import { identityRoutes } from "./identity-routes.ts";
import { setupLinkRoutes } from "./setup-link-routes.ts";
import { configurationManagerRoutes } from "./configuration-manager-routes.ts";
import { consoleSessionRoutes } from "./console-session-routes.ts";
import { domainClaimRoutes } from "./domain-claim-routes.ts";
import type { CredentialFailures } from "../credential-failures.ts";
import { keyRoutes } from "./key-routes.ts";
import { organisationChangeRoutes } from "./organisation-change-routes.ts";
import { organisationRoutes } from "./organisation-routes.ts";
import { providerHealthRoutes } from "./provider-health-routes.ts";
import { providerRoutes } from "./provider-routes.ts";
import { samlProviderCheckRoutes } from "./saml-provider-check-routes.ts";
import { samlProviderRoutes } from "./saml-provider-routes.ts";
import { type EffectiveSettings, settingsRoutes } from "./settings-routes.ts";
import { testSignInRoutes } from "./test-sign-in-routes.ts";
import type { SamlTestSignInDeps } from "../../signin/saml-test-sign-in.ts";
import { userRoutes } from "./user-routes.ts";
import { scimTokenRoutes } from "./scim-token-routes.ts";
import { introspectionTokenRoutes } from "./introspection-token-routes.ts";
import type { IntrospectionTokenRepository } from "../../domain/introspection.ts";

/** What the admin API is built from. */
export interface AdminApiOptions {
  /**
   * The ADMIN_TOKEN every admin request must carry as a bearer token (or a setup session's, or an
   * organisation admin's access token, for what their organisation's scope allows).
   */
  readonly adminToken: string;
  /** Setup links point at the console under it. */
  readonly publicUrl: string;
  /** The console's sessions (cookie): an operator's are accepted like the admin token, an organisation admin's like their access token. */
  readonly consoleSessions: ConsoleSessionDeps;
  /** Organisation admins: their access tokens are verified, and their standing re-read, at each request. */
  readonly orgAdmins: OrgAdminDeps;
  /** Refused credentials, counted per address over every admin route: past the limit an address gets 429. */
  readonly credentialFailures: CredentialFailures;
  readonly administration: ProviderAdministration &
    UserAdministration &
    UserSessionDeps &
    IdentityAdministration &
    AuditAdministration &
    SignInStepAdministration &
    KeyAdministration &
    ProviderHealthDeps &
    SamlProviderAdministration &
    SetupLinkDeps & {
      readonly providerWatch: Pick<ProviderWatchRepository, "events">;
      readonly scim: ScimRepository;
      readonly introspectionTokens: IntrospectionTokenRepository;
      /** Where admin writes, and the refused requests of setup sessions and organisation admins, are recorded (not counted as sign-ins). */
      readonly audit: Pick<AuditTrail, "record">;
    };
  /** Organisations' domains and their DNS TXT proof. */
  readonly domainClaims: DomainClaimDeps;
  readonly providerCheck: ProviderCheckDeps & ProviderDoctorDeps;
  readonly testSignIn: TestSignInDeps & SamlTestSignInDeps;
  readonly allowInsecureLoopback: boolean;
  /** The service's effective settings, secrets left out (`GET /api/v1/settings`). */
  readonly settings: EffectiveSettings;
  /** PROVIDER_NETWORK_ALLOW: private hosts and ranges providers may be saved at. */
  readonly networkAllow?: ProviderNetworkAllowList;
}

/**
 * Every admin route, in one encapsulated scope whose onRequest hook requires the admin token (or
 * a setup session or an organisation admin, for what they may do) before anything else runs (a request without it never
 * reaches validation or a handler). The route groups are registered inside the scope, so they
 * inherit the hook and cannot forget it.
 */
export function adminApi(options: AdminApiOptions): FastifyPluginAsync {
  const { administration } = options;
  return async (admin) => {
    const access = adminAccess({
      adminToken: options.adminToken,
      setupSessions: administration,
      consoleSessions: options.consoleSessions,
      orgAdmins: options.orgAdmins,
      audit: administration.audit,
      credentialFailures: options.credentialFailures,
    });
    admin.addHook("onRequest", options.credentialFailures.guard);
    admin.addHook("onRequest", access.onRequest);
    admin.addHook("onResponse", access.onResponse);
    // The guard may answer any route of the scope 401 (no or a wrong credential) or 403 (a
    // scoped caller outside its scope, a member, a disabled user): every route documents both.
    admin.addHook("onRoute", (route) => {
      if (route.schema) route.schema.response = { ...errorResponses(401, 403), ...(route.schema.response as object | undefined) };
    });
    await admin.register(organisationRoutes(administration));
    await admin.register(organisationChangeRoutes(administration));
    await admin.register(domainClaimRoutes(options.domainClaims));
    await admin.register(settingsRoutes(options.settings));
    await admin.register(
      providerRoutes({
        administration,
        providerCheck: options.providerCheck,
        allowInsecureLoopback: options.allowInsecureLoopback,
        networkAllow: options.networkAllow,
      }),
    );
    await admin.register(
      samlProviderRoutes({ administration, allowInsecureLoopback: options.allowInsecureLoopback, networkAllow: options.networkAllow }),
    );
    await admin.register(samlProviderCheckRoutes(administration));
    await admin.register(userRoutes(administration));
    await admin.register(identityRoutes(administration));
    await admin.register(auditRoutes(administration));
    await admin.register(providerHealthRoutes(administration));
    await admin.register(testSignInRoutes(options.testSignIn));
    await admin.register(eventRoutes(administration));
    await admin.register(setupLinkRoutes(administration, options.publicUrl));
    await admin.register(authMethodRoutes(administration));
    await admin.register(keyRoutes(administration));
    await admin.register(scimTokenRoutes(administration, options.publicUrl));
    await admin.register(introspectionTokenRoutes(administration));
    await admin.register(consoleSessionRoutes({ ...administration, consoleSessions: options.consoleSessions.sessions }));
    await admin.register(
      configurationManagerRoutes({
        administration,
        allowInsecureLoopback: options.allowInsecureLoopback,
        networkAllow: options.networkAllow,
      }),
    );
  };
}
