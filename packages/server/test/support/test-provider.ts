/**
 * A REAL OpenID Provider for tests: the `oidc-provider` package running
 * in-process on a loopback port, plus a scripted "browser" (fetch + cookie jar)
 * that drives its genuine login and consent interactions.
 *
 * Nothing here fabricates protocol artefacts: codes, tokens and ID tokens are
 * all minted by oidc-provider and every check (client authentication, PKCE,
 * single-use codes, redirect_uri matching) is oidc-provider's own.
 *
 * On top of the OpenID Provider the same server exposes a GitHub-style plain
 * OAuth 2.0 "user" API (GET /api/user) so tests can configure a provider that
 * has no ID token and no userinfo endpoint.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { IncomingMessage as NodeIncomingMessage, createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { exportJWK, generateKeyPair } from "jose";
import type { JWK } from "jose";

// ---------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------

export interface TestUser {
  sub: string;
  email: string;
  email_verified: boolean;
  name?: string;
}

export interface TestClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
  /** default "client_secret_basic"; a client registered with one method is refused with the other */
  token_endpoint_auth_method?: "client_secret_basic" | "client_secret_post";
}

export interface TestProviderOptions {
  clients: TestClient[];
  users: TestUser[];
  /** default false: PKCE optional (but verified whenever a code_challenge was sent) */
  requirePkce?: boolean;
  /** access token lifetime; default 3600 */
  accessTokenTtlSeconds?: number;
  /** ID token lifetime; default 3600 */
  idTokenTtlSeconds?: number;
  /** signing algorithm of ID tokens for every client; default "RS256" (an ES256 key is published too) */
  idTokenSigningAlg?: "RS256" | "ES256";
}

export interface AuthorizeParams {
  clientId: string;
  redirectUri: string;
  /** the user's sub, typed into the login form */
  login: string;
  /** default "openid email profile" */
  scope?: string;
  state?: string;
  nonce?: string;
  /** S256 code challenge */
  codeChallenge?: string;
  /** the user refuses consent: the provider redirects back with error=access_denied */
  deny?: boolean;
  /**
   * A full authorization URL built by someone else (the service under test) to follow
   * instead of building one; clientId/redirectUri/scope/state/nonce/codeChallenge are then
   * ignored (they come from the URL), only login and deny are used.
   */
  authorizationUrl?: string;
}

export type AuthorizeResult =
  | { code: string; state?: string; iss?: string; callbackUrl: string }
  | { error: string; error_description?: string; state?: string; iss?: string; callbackUrl: string };

export interface TestProvider {
  /** e.g. http://127.0.0.1:PORT (no trailing slash) */
  readonly issuer: string;
  readonly endpoints: {
    authorization: string;
    token: string;
    userinfo: string;
    jwks: string;
    /** GitHub-style plain OAuth 2.0 user API: GET with `Authorization: Bearer <access token>` */
    plainUserApi: string;
    discovery: string;
    revocation: string;
    introspection: string;
  };
  /**
   * Drives the real authorization request → login → consent interaction over HTTP as a
   * fresh browser (new cookie jar per call) and returns what the provider redirected the
   * browser to at the redirect_uri (which is parsed, never fetched). Throws when the
   * provider does not redirect back at all (e.g. unknown client or unregistered
   * redirect_uri: the provider renders an error page) or when `login` is not a known user.
   */
  authorize(p: AuthorizeParams): Promise<AuthorizeResult>;
  /** add or change a user's claims (takes effect for tokens/userinfo issued afterwards) */
  setUser(u: TestUser): void;
  /** remove a user: its tokens stop resolving at the userinfo / plain user API */
  deleteUser(sub: string): void;
  /** hits on the token endpoint (any method, any outcome) */
  readonly tokenRequests: number;
  /** hits on the OIDC userinfo endpoint */
  readonly userinfoRequests: number;
  /** hits on the plain user API */
  readonly plainUserApiRequests: number;
  /** hits on the authorization endpoint (including the resume redirects of interactions) */
  readonly authorizationRequests: number;
  /**
   * Generate fresh signing keys; tokens minted afterwards carry the new `kid`.
   * keepPrevious (default true) keeps the old keys published in the JWKS (after the new ones).
   * Codes, tokens, grants and sessions survive the rotation.
   */
  rotateKeys(o?: { keepPrevious?: boolean }): Promise<void>;
  /** kids of the current signing keys (first = used for RS256 / ES256 respectively) */
  readonly signingKeyIds: { RS256: string; ES256: string };
  close(): Promise<void>;
}

/** Convenience wrapper for TestProvider.rotateKeys. */
export function rotateProviderKeys(p: TestProvider, o?: { keepPrevious?: boolean }): Promise<void> {
  return p.rotateKeys(o);
}

// ---------------------------------------------------------------------------
// Minimal structural typing of the parts of oidc-provider used here
// (the package ships no type declarations).
// ---------------------------------------------------------------------------

interface OidcInteraction {
  uid: string;
  prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
  params: Record<string, unknown>;
  grantId?: string;
  session?: { accountId?: string };
}

interface OidcGrant {
  addOIDCScope(scope: string): void;
  addOIDCClaims(claims: string[]): void;
  addResourceScope(indicator: string, scope: string): void;
  save(): Promise<string>;
}

interface OidcAccessToken {
  accountId: string;
  clientId: string;
  scope?: string;
  isExpired: boolean;
}

type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void;

interface OidcProvider {
  callback(): NodeHandler;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<OidcInteraction>;
  interactionFinished(
    req: IncomingMessage,
    res: ServerResponse,
    result: Record<string, unknown>,
    opts?: { mergeWithLastSubmission?: boolean },
  ): Promise<void>;
  Grant: {
    new (init: { accountId: string; clientId: string }): OidcGrant;
    find(id: string): Promise<OidcGrant | undefined>;
  };
  AccessToken: { find(token: string): Promise<OidcAccessToken | undefined> };
  on(event: string, listener: (...args: unknown[]) => void): void;
}

type OidcProviderCtor = new (issuer: string, configuration: Record<string, unknown>) => OidcProvider;

// A non-literal specifier keeps TypeScript from demanding declarations for the untyped package.
const OIDC_PROVIDER_MODULE: string = "oidc-provider";
let providerCtor: Promise<OidcProviderCtor> | undefined;
function loadProviderCtor(): Promise<OidcProviderCtor> {
  providerCtor ??= import(OIDC_PROVIDER_MODULE).then((m: { default: OidcProviderCtor }) => m.default);
  return providerCtor;
}

// ---------------------------------------------------------------------------
// Storage adapter: a plain per-TestProvider Map (the built-in memory adapter is an LRU
// capped at 1000 entries and is per Provider instance, which would not survive rotateKeys).
// ---------------------------------------------------------------------------

interface StoredEntry {
  payload: Record<string, unknown>;
  expiresAt: number; // epoch ms, Infinity when no expiry
}

class MapAdapter {
  readonly #model: string;
  readonly #store: Map<string, StoredEntry>;

  constructor(model: string, store: Map<string, StoredEntry>) {
    this.#model = model;
    this.#store = store;
  }

  #key(id: string): string {
    return `${this.#model}:${id}`;
  }

  #get(key: string): StoredEntry | undefined {
    const entry = this.#store.get(key);
    if (entry && entry.expiresAt <= Date.now()) {
      this.#store.delete(key);
      return undefined;
    }
    return entry;
  }

  async upsert(id: string, payload: Record<string, unknown>, expiresIn?: number): Promise<void> {
    const expiresAt = typeof expiresIn === "number" ? Date.now() + expiresIn * 1000 : Infinity;
    this.#store.set(this.#key(id), { payload: structuredClone(payload), expiresAt });
  }

  async find(id: string): Promise<Record<string, unknown> | undefined> {
    const entry = this.#get(this.#key(id));
    return entry ? structuredClone(entry.payload) : undefined;
  }

  async findByUid(uid: string): Promise<Record<string, unknown> | undefined> {
    return this.#findBy((p) => p.uid === uid);
  }

  async findByUserCode(userCode: string): Promise<Record<string, unknown> | undefined> {
    return this.#findBy((p) => p.userCode === userCode);
  }

  #findBy(pred: (p: Record<string, unknown>) => boolean): Record<string, unknown> | undefined {
    const prefix = `${this.#model}:`;
    for (const key of this.#store.keys()) {
      if (!key.startsWith(prefix)) continue;
      const entry = this.#get(key);
      if (entry && pred(entry.payload)) return structuredClone(entry.payload);
    }
    return undefined;
  }

  async consume(id: string): Promise<void> {
    const entry = this.#get(this.#key(id));
    if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id: string): Promise<void> {
    this.#store.delete(this.#key(id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    for (const [key, entry] of this.#store) {
      if (entry.payload.grantId === grantId) this.#store.delete(key);
    }
  }
}

// ---------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------

interface KeySet {
  rs: JWK;
  es: JWK;
}

async function generateSigningKeys(): Promise<KeySet> {
  const make = async (alg: "RS256" | "ES256"): Promise<JWK> => {
    const { privateKey } = await generateKeyPair(alg, { extractable: true });
    const jwk = await exportJWK(privateKey);
    return { ...jwk, alg, use: "sig", kid: `${alg.toLowerCase()}-${randomUUID()}` };
  };
  const [rs, es] = await Promise.all([make("RS256"), make("ES256")]);
  return { rs, es };
}

// ---------------------------------------------------------------------------
// Small HTTP helpers
// ---------------------------------------------------------------------------

async function readBody(req: IncomingMessage, limit = 64 * 1024): Promise<string> {
  return (await readBodyBytes(req, limit)).toString("utf8");
}

function readBodyBytes(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new Error("request body too large"));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function send(
  res: ServerResponse,
  status: number,
  body: string,
  contentType = "text/plain; charset=utf-8",
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    "content-type": contentType,
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
    ...headers,
  });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  send(res, status, JSON.stringify(body), "application/json; charset=utf-8", headers);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A minimal cookie jar: name+path keyed, path-prefix matched, honours deletion. Single origin. */
class CookieJar {
  readonly #cookies = new Map<string, { name: string; value: string; path: string; expiresAt: number }>();

  store(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = "", ...attrs] = line.split(";");
      const eq = pair.indexOf("=");
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let path = "/";
      let expiresAt = Infinity;
      for (const attr of attrs) {
        const [k = "", v = ""] = attr.split("=").map((s) => s.trim());
        const key = k.toLowerCase();
        if (key === "path" && v) path = v;
        else if (key === "max-age") expiresAt = Date.now() + Number(v) * 1000;
        else if (key === "expires" && expiresAt === Infinity) expiresAt = Date.parse(v);
      }
      const id = `${name};${path}`;
      if (value === "" || expiresAt <= Date.now()) this.#cookies.delete(id);
      else this.#cookies.set(id, { name, value, path, expiresAt });
    }
  }

  header(url: URL): string | undefined {
    const now = Date.now();
    const parts: string[] = [];
    for (const [id, c] of this.#cookies) {
      if (c.expiresAt <= now) {
        this.#cookies.delete(id);
        continue;
      }
      const prefix = c.path.endsWith("/") ? c.path : `${c.path}/`;
      if (url.pathname === c.path || url.pathname.startsWith(prefix)) {
        parts.push(`${c.name}=${c.value}`);
      }
    }
    return parts.length ? parts.join("; ") : undefined;
  }
}

// ---------------------------------------------------------------------------
// The provider
// ---------------------------------------------------------------------------

const INTERACTION_PATH = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|confirm|abort))?$/;
const PLAIN_USER_API_PATH = "/api/user";
/** endpoints where clients authenticate with their secret */
const CLIENT_AUTH_PATHS = new Set(["/token", "/token/introspection", "/token/revocation", "/request"]);

export async function startTestProvider(o: TestProviderOptions): Promise<TestProvider> {
  const Provider = await loadProviderCtor();

  const users = new Map<string, TestUser>();
  for (const u of o.users) users.set(u.sub, { ...u });

  const store = new Map<string, StoredEntry>();
  const cookieKeys = [randomBytes(32).toString("base64url")];
  const sockets = new Set<Socket>();
  const counters = { token: 0, userinfo: 0, plainUserApi: 0, authorization: 0 };

  let keys = await generateSigningKeys();
  let previousKeys: JWK[] = [];

  const server: Server = createServer();
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;
  const issuerOrigin = new URL(issuer).origin;

  const findAccount = async (_ctx: unknown, sub: string) => {
    if (!users.has(sub)) return undefined;
    return {
      accountId: sub,
      // Claims are read at the time a token is minted, so setUser() changes show up in later tokens.
      async claims() {
        const u = users.get(sub);
        if (!u) return { sub };
        return { sub: u.sub, email: u.email, email_verified: u.email_verified, ...(u.name !== undefined ? { name: u.name } : {}) };
      },
    };
  };

  const buildConfiguration = (): Record<string, unknown> => ({
    adapter: (model: string) => new MapAdapter(model, store),
    clients: o.clients.map((c) => ({
      client_id: c.client_id,
      client_secret: c.client_secret,
      redirect_uris: [...c.redirect_uris],
      token_endpoint_auth_method: c.token_endpoint_auth_method ?? "client_secret_basic",
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      id_token_signed_response_alg: o.idTokenSigningAlg ?? "RS256",
    })),
    findAccount,
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    scopes: ["openid", "offline_access", "email", "profile"],
    // Put scope-granted claims into the ID token itself, not only at userinfo.
    conformIdTokenClaims: false,
    pkce: { required: () => o.requirePkce === true },
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      introspection: { enabled: true },
      userinfo: { enabled: true },
    },
    interactions: {
      url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}`,
    },
    cookies: { keys: cookieKeys },
    jwks: { keys: [keys.rs, keys.es, ...previousKeys] },
    ttl: {
      AccessToken: o.accessTokenTtlSeconds ?? 3600,
      IdToken: o.idTokenTtlSeconds ?? 3600,
      // explicit values for the rest keep oidc-provider from printing "SHOULD change" notices
      Interaction: 3600,
      Session: 14 * 24 * 3600,
      Grant: 14 * 24 * 3600,
    },
    // A compact error page: authorize() puts its text into the Error it throws.
    renderError: (ctx: { type: string; body: string }, out: Record<string, unknown>) => {
      ctx.type = "html";
      const lines = Object.entries(out).map(([k, v]) => `${k}: ${escapeHtml(String(v))}`);
      ctx.body = `<!doctype html><html><head><title>test provider error</title></head><body><pre>${lines.join("\n")}</pre></body></html>`;
    },
    // Loopback test harness: any origin may call the provider from a browser.
    clientBasedCORS: () => true,
  });

  const createProvider = (): { provider: OidcProvider; handler: NodeHandler } => {
    const provider = new Provider(issuer, buildConfiguration());
    // oidc-provider renders 500s itself; make sure a harness bug is never silent.
    provider.on("server_error", (_ctx: unknown, err: unknown) => {
      console.error("test-provider: oidc-provider server_error", err);
    });
    return { provider, handler: provider.callback() };
  };

  let current = createProvider();

  const handleInteraction = async (
    req: IncomingMessage,
    res: ServerResponse,
    uid: string,
    action: string | undefined,
  ): Promise<void> => {
    const { provider } = current;
    let details: OidcInteraction;
    try {
      details = await provider.interactionDetails(req, res);
    } catch (err) {
      send(res, 400, `interaction not found: ${(err as Error).message}`);
      return;
    }
    if (details.uid !== uid) {
      send(res, 400, "interaction cookie does not match the interaction in the URL");
      return;
    }
    const prompt = details.prompt.name;

    if (action === undefined) {
      if (req.method !== "GET") {
        send(res, 405, "method not allowed");
        return;
      }
      const clientId = String(details.params.client_id ?? "");
      const form =
        prompt === "login"
          ? `<h1>Sign in to ${escapeHtml(clientId)}</h1>
<form method="post" action="/interaction/${uid}/login">
<label>Subject <input id="login" name="login" autofocus></label>
<button id="submit" type="submit">Sign in</button></form>`
          : `<h1>${escapeHtml(clientId)} asks for: ${escapeHtml(String(details.params.scope ?? ""))}</h1>
<form method="post" action="/interaction/${uid}/confirm"><button id="allow" type="submit">Allow</button></form>
<form method="post" action="/interaction/${uid}/abort"><button id="deny" type="submit">Deny</button></form>`;
      send(
        res,
        200,
        `<!doctype html><html><head><meta charset="utf-8"><title>test provider: ${prompt}</title></head><body>${form}</body></html>`,
        "text/html; charset=utf-8",
        { "x-interaction-prompt": prompt },
      );
      return;
    }

    if (req.method !== "POST") {
      send(res, 405, "method not allowed");
      return;
    }
    const body = new URLSearchParams(await readBody(req));

    if (action === "abort") {
      await provider.interactionFinished(
        req,
        res,
        { error: "access_denied", error_description: "End-User refused to grant access" },
        { mergeWithLastSubmission: false },
      );
      return;
    }

    if (action === "login") {
      if (prompt !== "login") {
        send(res, 400, `interaction expects prompt ${prompt}, not login`);
        return;
      }
      const login = body.get("login") ?? "";
      if (!users.has(login)) {
        send(res, 400, `unknown user: ${login}`);
        return;
      }
      await provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
      return;
    }

    // action === "confirm"
    if (prompt !== "consent") {
      send(res, 400, `interaction expects prompt ${prompt}, not consent`);
      return;
    }
    const accountId = details.session?.accountId;
    if (!accountId) {
      send(res, 400, "no signed-in account for this interaction");
      return;
    }
    let grant: OidcGrant | undefined;
    if (details.grantId) grant = await provider.Grant.find(details.grantId);
    grant ??= new provider.Grant({ accountId, clientId: String(details.params.client_id) });
    const d = details.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(" "));
    if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
    if (d.missingResourceScopes) {
      for (const [indicator, scopes] of Object.entries(d.missingResourceScopes)) {
        grant.addResourceScope(indicator, scopes.join(" "));
      }
    }
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  };

  const handlePlainUserApi = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const challenge = { "www-authenticate": 'Bearer error="invalid_token"' };
    if (req.method !== "GET") {
      sendJson(res, 405, { message: "method not allowed" });
      return;
    }
    const auth = req.headers.authorization ?? "";
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    if (!m?.[1]) {
      sendJson(res, 401, { message: "Requires authentication" }, { "www-authenticate": "Bearer" });
      return;
    }
    const token = await current.provider.AccessToken.find(m[1]);
    if (!token || token.isExpired) {
      sendJson(res, 401, { message: "Bad credentials" }, challenge);
      return;
    }
    const u = users.get(token.accountId);
    if (!u) {
      sendJson(res, 401, { message: "Bad credentials" }, challenge);
      return;
    }
    sendJson(res, 200, { sub: u.sub, email: u.email, email_verified: u.email_verified, name: u.name ?? null });
  };

  const registeredAuthMethod = new Map<string, string>(
    o.clients.map((c) => [c.client_id, c.token_endpoint_auth_method ?? "client_secret_basic"]),
  );

  /**
   * oidc-provider 9 treats client_secret_basic and client_secret_post as interchangeable
   * (either mechanism is accepted for a client registered with either). Real providers
   * (and the contract the service is tested against) refuse the unregistered one, so the
   * harness enforces the registered method in front of oidc-provider, answering exactly
   * as oidc-provider answers a failed client authentication. Everything else, including
   * the secret check itself, is left to oidc-provider, which receives the request unchanged.
   */
  const enforceClientAuthMethod = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // oidc-provider itself refuses bodies over 56 KiB; read a little more so it still can.
    const raw = await readBodyBytes(req, 1024 * 1024);
    const form = /^application\/x-www-form-urlencoded\b/i.test(req.headers["content-type"] ?? "")
      ? new URLSearchParams(raw.toString("utf8"))
      : new URLSearchParams();
    const authorization = req.headers.authorization ?? "";
    const basic = /^Basic\s+(\S+)$/i.exec(authorization);
    let used: string | undefined;
    let clientId: string | undefined;
    if (basic?.[1] && !form.has("client_secret")) {
      used = "client_secret_basic";
      const decoded = Buffer.from(basic[1], "base64").toString("utf8");
      const i = decoded.indexOf(":");
      try {
        clientId = i > 0 ? decodeURIComponent(decoded.slice(0, i).replace(/\+/g, " ")) : undefined;
      } catch {
        clientId = undefined; // malformed: let oidc-provider reject it
      }
    } else if (!authorization && form.has("client_secret")) {
      used = "client_secret_post";
      clientId = form.get("client_id") ?? undefined;
    }
    const registered = clientId !== undefined ? registeredAuthMethod.get(clientId) : undefined;
    if (used && registered && used !== registered) {
      const error = { error: "invalid_client", error_description: "client authentication failed" };
      const headers: Record<string, string> = {};
      if (used === "client_secret_basic") {
        headers["www-authenticate"] =
          `Basic realm="${issuer}", error="invalid_client", error_description="client authentication failed"`;
      }
      sendJson(res, 401, error, headers);
      return;
    }
    // Hand oidc-provider a fresh request carrying the very same bytes.
    const replay = new NodeIncomingMessage(req.socket);
    replay.method = req.method;
    replay.url = req.url;
    replay.headers = req.headers;
    replay.rawHeaders = req.rawHeaders;
    replay.httpVersion = req.httpVersion;
    replay.httpVersionMajor = req.httpVersionMajor;
    replay.httpVersionMinor = req.httpVersionMinor;
    // Marked complete so that auto-destroying the replay at its end does not destroy the socket.
    replay.complete = true;
    replay.push(raw);
    replay.push(null);
    current.handler(replay, res);
  };

  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? "/", issuer).pathname;
    if (path === "/token") counters.token++;
    else if (path === "/me") counters.userinfo++;
    else if (path === "/auth" || path.startsWith("/auth/")) counters.authorization++;

    const fail = (err: unknown) => {
      console.error("test-provider: request handler failed", err);
      if (!res.headersSent) send(res, 500, "test provider failure");
      else res.destroy();
    };

    const im = INTERACTION_PATH.exec(path);
    if (im?.[1]) {
      handleInteraction(req, res, im[1], im[2]).catch(fail);
      return;
    }
    if (path === PLAIN_USER_API_PATH) {
      counters.plainUserApi++;
      handlePlainUserApi(req, res).catch(fail);
      return;
    }
    if (req.method === "POST" && CLIENT_AUTH_PATHS.has(path)) {
      enforceClientAuthMethod(req, res).catch(fail);
      return;
    }
    current.handler(req, res);
  });

  const authorize = async (p: AuthorizeParams): Promise<AuthorizeResult> => {
    let url: URL;
    if (p.authorizationUrl) {
      url = new URL(p.authorizationUrl);
    } else {
      url = new URL("/auth", issuer);
      url.searchParams.set("client_id", p.clientId);
      url.searchParams.set("redirect_uri", p.redirectUri);
      url.searchParams.set("response_type", "code");
      url.searchParams.set("scope", p.scope ?? "openid email profile");
      if (p.state !== undefined) url.searchParams.set("state", p.state);
      if (p.nonce !== undefined) url.searchParams.set("nonce", p.nonce);
      if (p.codeChallenge !== undefined) {
        url.searchParams.set("code_challenge", p.codeChallenge);
        url.searchParams.set("code_challenge_method", "S256");
      }
    }

    const jar = new CookieJar();
    let method = "GET";
    let body: URLSearchParams | undefined;
    for (let hop = 0; hop < 20; hop++) {
      if (url.origin !== issuerOrigin) {
        return parseCallback(url);
      }
      const headers: Record<string, string> = { accept: "text/html" };
      const cookie = jar.header(url);
      if (cookie) headers.cookie = cookie;
      const res = await fetch(url, { method, headers, body, redirect: "manual" });
      jar.store(res);
      method = "GET";
      body = undefined;

      const location = res.headers.get("location");
      if (res.status >= 300 && res.status < 400 && location) {
        await res.body?.cancel();
        url = new URL(location, url);
        continue;
      }

      const prompt = res.headers.get("x-interaction-prompt");
      const im = INTERACTION_PATH.exec(url.pathname);
      if (res.status === 200 && prompt && im?.[1]) {
        await res.body?.cancel();
        const uid = im[1];
        method = "POST";
        if (prompt === "login") {
          url = new URL(`/interaction/${uid}/login`, issuer);
          body = new URLSearchParams({ login: p.login });
        } else if (prompt === "consent") {
          url = new URL(`/interaction/${uid}/${p.deny ? "abort" : "confirm"}`, issuer);
          body = new URLSearchParams();
        } else {
          throw new Error(`test-provider authorize: unsupported interaction prompt ${prompt}`);
        }
        continue;
      }

      const text = (await res.text())
        .replace(/<(style|script)[\s\S]*?<\/\1>/gi, "")
        .replace(/<[^>]+>/g, " ")
        .replace(/\s+/g, " ")
        .trim();
      throw new Error(
        `test-provider authorize: the provider answered ${res.status} at ${url.pathname} instead of redirecting back: ${text.slice(0, 800)}`,
      );
    }
    throw new Error("test-provider authorize: too many redirects");
  };

  const close = async (): Promise<void> => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
  };

  return {
    issuer,
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
    authorize,
    setUser(u: TestUser) {
      users.set(u.sub, { ...u });
    },
    deleteUser(sub: string) {
      users.delete(sub);
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
    async rotateKeys(ro?: { keepPrevious?: boolean }) {
      const fresh = await generateSigningKeys();
      previousKeys = ro?.keepPrevious === false ? [] : [keys.rs, keys.es, ...previousKeys];
      keys = fresh;
      current = createProvider();
    },
    close,
  };
}

function parseCallback(url: URL): AuthorizeResult {
  let params = url.searchParams;
  if (!params.has("code") && !params.has("error") && url.hash.length > 1) {
    params = new URLSearchParams(url.hash.slice(1));
  }
  const callbackUrl = url.href;
  const state = params.get("state") ?? undefined;
  const iss = params.get("iss") ?? undefined;
  const error = params.get("error");
  if (error) {
    const error_description = params.get("error_description") ?? undefined;
    return { error, error_description, state, iss, callbackUrl };
  }
  const code = params.get("code");
  if (!code) throw new Error(`test-provider authorize: redirected back without code or error: ${callbackUrl}`);
  return { code, state, iss, callbackUrl };
}
