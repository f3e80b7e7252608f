/**
 * An OpenID provider whose token endpoint lives on another origin than its issuer, as Google's
 * does (issuer https://accounts.google.com, token endpoint https://oauth2.googleapis.com): two
 * loopback servers on their own ports, one the issuer (discovery, keys, userinfo), the other the
 * token endpoint. It records every client credential presented to either, so a test can also
 * use it as a host that must never receive a secret.
 *
 * oidc-provider names its token endpoint on its own origin, hence this small one: it signs in
 * whoever the test names (no login page), issues single-use codes bound to the redirect URI and
 * PKCE challenge, checks the client's Basic credentials and signs ID tokens (RS256, jose).
 */
import { createHash, randomBytes } from "node:crypto";
import * as jose from "jose";
import { startJsonServer, type ScriptedRequest } from "./faulty-servers.ts";
import type { TestUser } from "./test-provider.ts";

export interface SplitOriginProvider {
  readonly issuer: string;
  /** Where its discovery names the token endpoint now (another origin than the issuer's). */
  readonly tokenEndpoint: string;
  /** Every client credential either server received, decoded: `id:secret` of Basic authorization, `client_secret=…` parameters. */
  readonly credentialsReceived: string[];
  /** Makes discovery name another token endpoint (a provider moving it), or fail (`"down"`) until called again. */
  setDiscovery(tokenEndpoint: string | "down"): void;
  /** What the provider redirects back with for this authorization URL once `user` has signed in. */
  authorize(authorizationUrl: string, user: TestUser): { code: string; state: string | null };
  close(): Promise<void>;
}

interface Grant {
  readonly user: TestUser;
  readonly redirectUri: string;
  readonly nonce: string | null;
  readonly challenge: string | null;
}

export async function startSplitOriginProvider(client: { clientId: string; clientSecret: string }): Promise<SplitOriginProvider> {
  const { privateKey, publicKey } = await jose.generateKeyPair("RS256");
  const jwk = { ...(await jose.exportJWK(publicKey)), kid: "split-1", alg: "RS256", use: "sig" };
  const credentialsReceived: string[] = [];
  const grants = new Map<string, Grant>();
  const accessTokens = new Map<string, TestUser>();
  const authorizationOf = (req: ScriptedRequest) => String(req.headers.authorization ?? "");
  // RFC 6749 §2.3.1: the id and secret are form-encoded before they are joined and base64-encoded.
  const formDecode = (part: string) => decodeURIComponent(part.replace(/\+/g, " "));
  const basicOf = (req: ScriptedRequest) => {
    const authorization = authorizationOf(req);
    if (!authorization.toLowerCase().startsWith("basic ")) return undefined;
    const [id = "", secret = ""] = Buffer.from(authorization.slice(6), "base64").toString("utf8").split(":");
    return `${formDecode(id)}:${formDecode(secret)}`;
  };
  const record = (req: ScriptedRequest) => {
    const basic = basicOf(req);
    if (basic !== undefined) credentialsReceived.push(basic);
    const secret = new URLSearchParams(req.body).get("client_secret");
    if (secret !== null) credentialsReceived.push(`client_secret=${secret}`);
  };

  let issuer = "";
  let discoveryTokenEndpoint: string | "down" = "";
  const issuerServer = await startJsonServer((req) => {
    record(req);
    const path = new URL(req.url, "http://x").pathname;
    if (path === "/.well-known/openid-configuration") {
      if (discoveryTokenEndpoint === "down") return { status: 503, body: { error: "temporarily_unavailable" } };
      return {
        status: 200,
        body: {
          issuer,
          authorization_endpoint: `${issuer}/auth`,
          token_endpoint: discoveryTokenEndpoint,
          userinfo_endpoint: `${issuer}/userinfo`,
          jwks_uri: `${issuer}/jwks`,
          response_types_supported: ["code"],
          subject_types_supported: ["public"],
          id_token_signing_alg_values_supported: ["RS256"],
          code_challenge_methods_supported: ["S256"],
          token_endpoint_auth_methods_supported: ["client_secret_basic"],
          scopes_supported: ["openid", "email", "profile"],
        },
      };
    }
    if (path === "/jwks") return { status: 200, body: { keys: [jwk] } };
    if (path === "/userinfo") {
      const user = accessTokens.get(authorizationOf(req).replace(/^Bearer /i, ""));
      return user ? { status: 200, body: { ...user } } : { status: 401, body: { error: "invalid_token" } };
    }
    return { status: 404, body: { error: "not_found" } };
  });
  issuer = issuerServer.url;

  const tokenServer = await startJsonServer(async (req) => {
    record(req);
    if (req.method !== "POST" || new URL(req.url, "http://x").pathname !== "/token") return { status: 404, body: { error: "not_found" } };
    if (basicOf(req) !== `${client.clientId}:${client.clientSecret}`) return { status: 401, body: { error: "invalid_client" } };
    const form = new URLSearchParams(req.body);
    const grant = grants.get(form.get("code") ?? "");
    grants.delete(form.get("code") ?? "");
    const verifier = form.get("code_verifier");
    const pkce =
      grant?.challenge == null || (verifier !== null && createHash("sha256").update(verifier).digest("base64url") === grant.challenge);
    if (!grant || grant.redirectUri !== form.get("redirect_uri") || !pkce) return { status: 400, body: { error: "invalid_grant" } };
    const accessToken = randomBytes(16).toString("base64url");
    accessTokens.set(accessToken, grant.user);
    const idToken = await new jose.SignJWT({
      email: grant.user.email,
      email_verified: grant.user.email_verified,
      ...(grant.nonce !== null && { nonce: grant.nonce }),
    })
      .setProtectedHeader({ alg: "RS256", kid: jwk.kid })
      .setIssuer(issuer)
      .setAudience(client.clientId)
      .setSubject(grant.user.sub)
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(privateKey);
    return { status: 200, body: { access_token: accessToken, token_type: "Bearer", expires_in: 300, id_token: idToken } };
  });
  discoveryTokenEndpoint = `${tokenServer.url}/token`;

  return {
    issuer,
    get tokenEndpoint() {
      return discoveryTokenEndpoint;
    },
    credentialsReceived,
    setDiscovery(tokenEndpoint) {
      discoveryTokenEndpoint = tokenEndpoint;
    },
    authorize(authorizationUrl, user) {
      const query = new URL(authorizationUrl).searchParams;
      const code = randomBytes(16).toString("base64url");
      grants.set(code, {
        user,
        redirectUri: query.get("redirect_uri") ?? "",
        nonce: query.get("nonce"),
        challenge: query.get("code_challenge"),
      });
      return { code, state: query.get("state") };
    },
    async close() {
      await Promise.all([issuerServer.close(), tokenServer.close()]);
    },
  };
}
