/**
 * The HTTP server: listens on 127.0.0.1, routes each request (interaction pages, the plain user
 * API, the client authentication check, else oidc-provider), counts hits, rotates keys, closes.
 */
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { JWK } from "jose";
import { Accounts } from "./accounts.ts";
import { CLIENT_AUTH_PATHS, enforceClientAuthMethod, registeredAuthMethods } from "./client-authentication.ts";
import { send } from "./http-helpers.ts";
import { INTERACTION_PATH, handleInteraction } from "./interactions.ts";
import type { StoredEntry } from "./map-adapter.ts";
import { loadProviderCtor } from "./oidc-provider-binding.ts";
import type { PageText } from "./pages.ts";
import { PLAIN_USER_API_PATH, handlePlainUserApi } from "./plain-user-api.ts";
import { createProvider } from "./provider-configuration.ts";
import { samlIdentityProvider } from "./saml-identity-provider.ts";
import { generateSigningKeySet } from "./signing-keys.ts";
import type { OidcProviderServer, OidcProviderServerOptions, ProviderUser } from "./types.ts";

/** Starts an OpenID Provider on 127.0.0.1 with the given clients and users. */
export async function startOidcProviderServer(o: OidcProviderServerOptions): Promise<OidcProviderServer> {
  const Provider = await loadProviderCtor();
  const label = o.label ?? "Demo provider";
  const pageText: PageText = { label, loginHint: o.loginHint };

  const accounts = new Accounts(o.users);

  const store = new Map<string, StoredEntry>();
  const cookieKeys = o.cookieKeys && o.cookieKeys.length > 0 ? [...o.cookieKeys] : [randomBytes(32).toString("base64url")];
  const sockets = new Set<Socket>();
  const counters = { token: 0, userinfo: 0, plainUserApi: 0, authorization: 0 };

  let keys = o.signingKeys ?? (await generateSigningKeySet());
  let previousKeys: JWK[] = [];

  const server: Server = createServer();
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;

  // A new Provider instance on every key rotation (oidc-provider fixes its keys at construction);
  // the store is shared, so codes, tokens, grants and sessions carry over.
  const providerWithCurrentKeys = () =>
    createProvider(Provider, issuer, { options: o, label, accounts, store, cookieKeys, jwks: [keys.rs, keys.es, ...previousKeys] });
  let current = providerWithCurrentKeys();

  const registered = registeredAuthMethods(o.clients);
  const saml = samlIdentityProvider({ issuer, accounts, pageText, keyPair: o.samlKeyPair });

  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? "/", issuer).pathname;
    if (path === "/token") counters.token++;
    else if (path === "/me") counters.userinfo++;
    else if (path === "/auth" || path.startsWith("/auth/")) counters.authorization++;

    const fail = (err: unknown) => {
      console.error(`${label}: request handler failed`, err);
      if (!res.headersSent) send(res, 500, `${label} failure`);
      else res.destroy();
    };

    const samlHandled = saml.handle(req, res, path);
    if (samlHandled !== false) {
      samlHandled.catch(fail);
      return;
    }
    const im = INTERACTION_PATH.exec(path);
    if (im?.[1]) {
      handleInteraction(req, res, im[1], im[2], { provider: current.provider, accounts, pageText }).catch(fail);
      return;
    }
    if (path === PLAIN_USER_API_PATH) {
      counters.plainUserApi++;
      handlePlainUserApi(req, res, current.provider, accounts).catch(fail);
      return;
    }
    if (req.method === "POST" && CLIENT_AUTH_PATHS.has(path)) {
      // `current` is read once the body is in: a rotation meanwhile hands it to the new Provider.
      enforceClientAuthMethod(req, res, { issuer, registered, forward: (rq, rs) => current.handler(rq, rs) }).catch(fail);
      return;
    }
    current.handler(req, res);
  });

  const close = async (): Promise<void> => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
  };

  return {
    issuer,
    port,
    saml,
    endpoints: {
      authorization: `${issuer}/auth`,
      token: `${issuer}/token`,
      userinfo: `${issuer}/me`,
      jwks: `${issuer}/jwks`,
      plainUserApi: `${issuer}${PLAIN_USER_API_PATH}`,
      discovery: `${issuer}/.well-known/openid-configuration`,
      revocation: `${issuer}/token/revocation`,
      introspection: `${issuer}/token/introspection`,
    },
    setUser(u: ProviderUser) {
      accounts.set(u);
    },
    deleteUser(sub: string) {
      accounts.delete(sub);
    },
    get tokenRequests() {
      return counters.token;
    },
    get userinfoRequests() {
      return counters.userinfo;
    },
    get plainUserApiRequests() {
      return counters.plainUserApi;
    },
    get authorizationRequests() {
      return counters.authorization;
    },
    get signingKeyIds() {
      return { RS256: String(keys.rs.kid), ES256: String(keys.es.kid) };
    },
    get signingKeys() {
      return { rs: { ...keys.rs }, es: { ...keys.es } };
    },
    cookieKeys,
    async rotateKeys(ro?: { keepPrevious?: boolean }) {
      const fresh = await generateSigningKeySet();
      previousKeys = ro?.keepPrevious === false ? [] : [keys.rs, keys.es, ...previousKeys];
      keys = fresh;
      current = providerWithCurrentKeys();
    },
    close,
  };
}
