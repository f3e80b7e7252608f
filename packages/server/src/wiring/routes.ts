import type { FastifyInstance } from "fastify";
import type { Config } from "../config.ts";
import type { TxtLookup } from "../domain/domain-claim.ts";
import type { AuditTrail } from "../domain/ports/repositories.ts";
import type { UserEvent } from "../domain/user.ts";
import { adminApi } from "../http/admin/admin-api.ts";
import { consoleRoutes } from "../http/admin/console-routes.ts";
import { credentialFailures } from "../http/credential-failures.ts";
import { exchangeRoutes } from "../http/public/exchange-routes.ts";
import { healthRoutes } from "../http/public/health-routes.ts";
import { samlMetadataRoutes } from "../http/public/saml-metadata-routes.ts";
import { setupSessionRoutes } from "../http/public/setup-session-routes.ts";
import { samlRoutes } from "../http/public/saml-routes.ts";
import { signInRoutes } from "../http/public/sign-in-routes.ts";
import { tokenRoutes } from "../http/public/token-routes.ts";
import { webRoutes } from "../http/public/web-routes.ts";
import { scimApi } from "../http/scim/scim-api.ts";
import { introspectionRoutes } from "../http/public/introspection-routes.ts";
import { pingDatabase } from "../store/database.ts";
import type { AppOptions } from "../app.ts";
import type { OpenedStore, SharedState } from "./backends.ts";
import { effectiveSettings } from "./effective-settings.ts";
import type { ProviderClients, SignInParts } from "./sign-in.ts";

/** Everything the routes are handed. */
export interface RouteParts {
  readonly opened: OpenedStore;
  readonly shared: SharedState;
  /** Discovery, ID-token verification and the outbound guard. */
  readonly clients: ProviderClients;
  readonly signIn: SignInParts;
  /** The audit trail that counts sign-ins on /metrics. */
  readonly audit: Pick<AuditTrail, "record">;
  /** Where users disabled or deleted by the directory are told (the events webhook). */
  readonly userEvents?: (event: UserEvent) => void;
  /** Domain claims' TXT lookups (DNS_SERVERS, or the system's resolver). */
  readonly lookupTxt: TxtLookup;
}

/** The public API: health, the sign-in (over the cached lookups), the service's tokens, the pages. */
export async function registerSignInRoutes(server: FastifyInstance, config: Config, parts: RouteParts): Promise<void> {
  const { opened, shared, clients, signIn, audit } = parts;
  await server.register(healthRoutes({ database: () => pingDatabase(opened.db), sharedState: () => shared.state.ping() }));
  const deps = {
    ...opened.store,
    // The sign-in reads organisations, providers, sign-in steps and (on SQLite) users through the caches; everything else as stored.
    organisations: opened.cached.organisations,
    users: opened.cached.users,
    links: opened.cached.links,
    providers: opened.cached.providers,
    authSteps: opened.cached.authSteps,
    audit,
    discovery: clients.discovery,
    idTokens: clients.idTokens,
    state: shared.state,
    redeemedMarks: shared.redeemedMarks,
    sessions: signIn.sessions,
    lockout: signIn.lockout,
    ...signIn.saml,
    clock: signIn.saml.samlTokens.clock,
  };
  await server.register(exchangeRoutes(deps));
  await server.register(signInRoutes({ ...deps, tokens: signIn.sessionTokens }));
  await server.register(samlRoutes(deps));
  await server.register(tokenRoutes({ sessionTokens: signIn.sessionTokens }));
  await server.register(samlMetadataRoutes({ samlProviders: opened.store.samlProviders }));
  await server.register(webRoutes({ publicUrl: config.publicUrl }));
}

/** Setup sessions, the console and the admin API: over what is stored, behind the admin credentials. */
export async function registerAdministration(
  server: FastifyInstance,
  config: Config,
  options: AppOptions,
  parts: RouteParts,
): Promise<void> {
  const { store } = parts.opened;
  const { discovery, idTokens, outbound } = parts.clients;
  const { sessionTokens, signingKeys } = parts.signIn;
  const refusals = credentialFailures(config.adminAuthFailuresPerMinute, {
    counters: parts.shared.state,
    audit: store.audit,
    now: options.clock?.now,
  });
  await server.register(setupSessionRoutes(store, refusals));
  await server.register(introspectionRoutes({ introspectionTokens: store.introspectionTokens, sessionTokens }, refusals));
  await server.register(
    scimApi({
      deps: { scim: store.scim, audit: store.audit, userEvents: parts.userEvents },
      publicUrl: config.publicUrl,
      credentialFailures: refusals,
    }),
  );
  // Organisation admins: the service's own access token, and the user as stored at each request.
  const orgAdmins = { users: store.users, signInSessions: store.refreshTokens, verifyAccessToken: sessionTokens.verifyAccessToken };
  const consoleSessions = { sessions: store.consoleSessions, adminToken: config.adminToken };
  await server.register(
    consoleRoutes({ publicUrl: config.publicUrl, sessions: consoleSessions, orgAdmins, credentialFailures: refusals, setupLinks: store }),
  );
  await server.register(
    adminApi({
      adminToken: config.adminToken,
      publicUrl: config.publicUrl,
      consoleSessions,
      credentialFailures: refusals,
      orgAdmins,
      administration: {
        ...store,
        discovery,
        outbound,
        keys: signingKeys,
        sealedSecrets: store.sealedSecrets,
        userEvents: parts.userEvents,
      },
      domainClaims: { ...store, lookupTxt: parts.lookupTxt },
      providerCheck: { ...store, discovery, idTokens, outbound },
      testSignIn: { ...store, discovery, idTokens, state: parts.shared.state, samlProtocol: parts.signIn.saml.samlProtocol },
      allowInsecureLoopback: config.allowInsecureLoopbackProviders,
      settings: effectiveSettings(config),
      networkAllow: config.providerNetworkAllow,
    }),
  );
}
