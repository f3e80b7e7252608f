/**
 * A real OpenID Provider on a loopback port: the `oidc-provider` package with plain login and
 * consent pages of its own. It is the demo provider `npm start` runs when nothing is configured,
 * and the provider every test signs in at (test/support/test-provider.ts drives it).
 *
 * Nothing here fabricates protocol artefacts: codes, tokens and ID tokens are all minted by
 * oidc-provider, and every check (client authentication, PKCE, single-use codes, redirect_uri
 * matching) is oidc-provider's own.
 *
 * Besides the OpenID Provider the same server answers a GitHub-style plain OAuth 2.0 "user" API
 * (GET /api/user), for providers configured without ID token or userinfo endpoint.
 *
 * Plain http on 127.0.0.1 only: this is a stand-in for trying things out, never an identity
 * provider for real accounts.
 */
import { randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { IncomingMessage as NodeIncomingMessage, createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { exportJWK, generateKeyPair } from "jose";
import type { JWK } from "jose";

// ---------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------

export interface ProviderUser {
  sub: string;
  email: string;
  email_verified: boolean;
  name?: string;
  /** When set, the login form asks for it; without one, knowing the login is enough. */
  password?: string;
}

export interface ProviderClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
  /** default "client_secret_basic"; a client registered with one method is refused with the other */
  token_endpoint_auth_method?: "client_secret_basic" | "client_secret_post";
}

/** The provider's private signing keys (JWKs with `d`): one RS256 and one ES256. */
export interface SigningKeySet {
  rs: JWK;
  es: JWK;
}

export interface OidcProviderServerOptions {
  clients: ProviderClient[];
  users: ProviderUser[];
  /** default 0: any free port on 127.0.0.1 */
  port?: number;
  /** default false: PKCE optional (but verified whenever a code_challenge was sent) */
  requirePkce?: boolean;
  /** access token lifetime; default 3600 */
  accessTokenTtlSeconds?: number;
  /** ID token lifetime; default 3600 */
  idTokenTtlSeconds?: number;
  /** signing algorithm of ID tokens for every client; default "RS256" (an ES256 key is published too) */
  idTokenSigningAlg?: "RS256" | "ES256";
  /** signing keys to start with (a restarted demo keeps its keys); default freshly generated */
  signingKeys?: SigningKeySet;
  /** keys of the provider's cookies; default one fresh key */
  cookieKeys?: string[];
  /** what the pages call the provider; default "Demo provider" */
  label?: string;
  /** a line shown under the login form, e.g. the demo credentials */
  loginHint?: string;
}

export interface OidcProviderServer {
  /** e.g. http://127.0.0.1:PORT (no trailing slash) */
  readonly issuer: string;
  readonly port: number;
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
  /** add or change a user's claims (takes effect for tokens/userinfo issued afterwards) */
  setUser(u: ProviderUser): void;
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
  /** kids of the current signing keys */
  readonly signingKeyIds: { RS256: string; ES256: string };
  /** the current private signing keys, to start the same provider again later */
  readonly signingKeys: SigningKeySet;
  readonly cookieKeys: readonly string[];
  close(): Promise<void>;
}

/** `/interaction/:uid` and its actions; whoever drives the pages headlessly matches with it. */
export const INTERACTION_PATH = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|confirm|abort))?$/;
/** Header on the login and consent pages naming the prompt ("login" or "consent"). */
export const INTERACTION_PROMPT_HEADER = "x-interaction-prompt";

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
// Storage adapter: a plain per-server Map (the built-in memory adapter is an LRU
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

/** Fresh private signing keys: one RS256, one ES256, each with a unique kid. */
export async function generateSigningKeySet(): Promise<SigningKeySet> {
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

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

// ---------------------------------------------------------------------------
// Pages: plain, self-contained, no scripts, clearly labelled
// ---------------------------------------------------------------------------

const PAGE_STYLE = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;background:#f3f1ea}
.banner{background:#7a4b00;color:#fff;padding:.5rem 1rem;font-size:.9rem;text-align:center}
main{max-width:24rem;margin:3rem auto;padding:2rem;background:#fff;border:1px solid #d8d4c6;border-radius:8px}
h1{font-size:1.3rem;margin:0 0 1rem}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
input{width:100%;padding:.55rem;font:inherit;border:1px solid #8c8c8c;border-radius:4px}
button{font:inherit;padding:.55rem 1.1rem;border-radius:4px;border:1px solid #5a3700;background:#7a4b00;color:#fff;cursor:pointer;margin-top:1rem}
button.secondary{background:#fff;color:#5a3700}
:focus-visible{outline:3px solid #1a5fb4;outline-offset:2px}
.error{background:#fde7e9;border:1px solid #c42b1c;color:#8a1c12;padding:.5rem .75rem;border-radius:4px}
.hint{color:#57606a;font-size:.9rem;margin-top:1.25rem}
.actions{display:flex;gap:.75rem}
ul{padding-left:1.2rem}
pre{white-space:pre-wrap;font-size:.85rem}
`;

const PAGE_HEADERS = {
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

function page(label: string, title: string, content: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)} · ${escapeHtml(label)}</title><style>${PAGE_STYLE}</style></head>
<body><div class="banner" role="note"><strong>${escapeHtml(label)}</strong> · a stand-in OpenID Provider on this machine, for trying things out. Not for real accounts.</div>
<main>${content}</main></body></html>`;
}

const SCOPE_WORDS: Record<string, string> = {
  openid: "sign you in",
  email: "see your email address",
  profile: "see your name",
  offline_access: "stay signed in while you are away",
};

// ---------------------------------------------------------------------------
// The provider
// ---------------------------------------------------------------------------

const PLAIN_USER_API_PATH = "/api/user";
/** endpoints where clients authenticate with their secret */
const CLIENT_AUTH_PATHS = new Set(["/token", "/token/introspection", "/token/revocation", "/request"]);

/** Starts an OpenID Provider on 127.0.0.1 with the given clients and users. */
export async function startOidcProviderServer(o: OidcProviderServerOptions): Promise<OidcProviderServer> {
  const Provider = await loadProviderCtor();
  const label = o.label ?? "Demo provider";

  const users = new Map<string, ProviderUser>();
  for (const u of o.users) users.set(u.sub, { ...u });

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

  /** The user a login names: by subject, else by email (case-insensitive). */
  const userByLogin = (login: string): ProviderUser | undefined => {
    const bySub = users.get(login);
    if (bySub) return bySub;
    const email = login.trim().toLowerCase();
    for (const u of users.values()) if (u.email.toLowerCase() === email) return u;
    return undefined;
  };

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
    // A compact error page (a headless driver puts its text into the Error it throws).
    renderError: (ctx: { type: string; body: string; set(name: string, value: string): void }, out: Record<string, unknown>) => {
      ctx.type = "html";
      for (const [name, value] of Object.entries(PAGE_HEADERS)) ctx.set(name, value);
      const lines = Object.entries(out).map(([k, v]) => `${k}: ${escapeHtml(String(v))}`);
      ctx.body = page(label, "error", `<h1>The provider cannot continue</h1><pre>${lines.join("\n")}</pre>`);
    },
    // Loopback only: any origin may call the provider from a browser.
    clientBasedCORS: () => true,
  });

  const createProvider = (): { provider: OidcProvider; handler: NodeHandler } => {
    const provider = new Provider(issuer, buildConfiguration());
    // oidc-provider renders 500s itself; make sure a bug here is never silent.
    provider.on("server_error", (_ctx: unknown, err: unknown) => {
      console.error(`${label}: oidc-provider server_error`, err);
    });
    return { provider, handler: provider.callback() };
  };

  let current = createProvider();

  const loginPage = (uid: string, clientId: string, problem?: string, login = ""): string =>
    page(
      label,
      "Sign in",
      `<h1>Sign in to continue to ${escapeHtml(clientId)}</h1>
${problem ? `<p class="error" role="alert" id="problem">${escapeHtml(problem)}</p>` : ""}
<form method="post" action="/interaction/${uid}/login">
<label for="login">Email</label>
<input id="login" name="login" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${escapeHtml(login)}"${login ? "" : " autofocus"}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password"${login ? " autofocus" : ""}>
<button id="submit" type="submit">Sign in</button>
</form>
${o.loginHint ? `<p class="hint" id="hint">${escapeHtml(o.loginHint)}</p>` : ""}`,
    );

  const consentPage = (uid: string, clientId: string, scope: string): string => {
    const asks = scope
      .split(" ")
      .filter(Boolean)
      .map((s) => `<li>${escapeHtml(SCOPE_WORDS[s] ?? s)}</li>`)
      .join("");
    return page(
      label,
      "Allow access",
      `<h1>${escapeHtml(clientId)} would like to</h1>
<ul>${asks}</ul>
<p>Scopes asked for: <code>${escapeHtml(scope)}</code></p>
<div class="actions">
<form method="post" action="/interaction/${uid}/confirm"><button id="allow" type="submit">Allow</button></form>
<form method="post" action="/interaction/${uid}/abort"><button id="deny" class="secondary" type="submit">Deny</button></form>
</div>`,
    );
  };

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
    const clientId = String(details.params.client_id ?? "");

    if (action === undefined) {
      if (req.method !== "GET") {
        send(res, 405, "method not allowed");
        return;
      }
      // The login form starts with the account the client suggested (OIDC Core §3.1.2.1 login_hint).
      const hint = typeof details.params.login_hint === "string" ? details.params.login_hint : "";
      const html = prompt === "login" ? loginPage(uid, clientId, undefined, hint) : consentPage(uid, clientId, String(details.params.scope ?? ""));
      send(res, 200, html, "text/html; charset=utf-8", { ...PAGE_HEADERS, [INTERACTION_PROMPT_HEADER]: prompt });
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
      const user = userByLogin(login);
      if (!user || (user.password !== undefined && !sameSecret(body.get("password") ?? "", user.password))) {
        // 400, so a headless driver stops here; a person sees the form again with the problem.
        const html = loginPage(uid, clientId, "Sign-in failed: unknown user or wrong password.", login);
        send(res, 400, html, "text/html; charset=utf-8", PAGE_HEADERS);
        return;
      }
      await provider.interactionFinished(req, res, { login: { accountId: user.sub } }, { mergeWithLastSubmission: false });
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
    grant ??= new provider.Grant({ accountId, clientId });
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
   * (and the contract the service is tested against) refuse the unregistered one, so this
   * server enforces the registered method in front of oidc-provider, answering exactly
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
      console.error(`${label}: request handler failed`, err);
      if (!res.headersSent) send(res, 500, `${label} failure`);
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

  const close = async (): Promise<void> => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
  };

  return {
    issuer,
    port,
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
    get signingKeys() {
      return { rs: { ...keys.rs }, es: { ...keys.es } };
    },
    cookieKeys,
    async rotateKeys(ro?: { keepPrevious?: boolean }) {
      const fresh = await generateSigningKeySet();
      previousKeys = ro?.keepPrevious === false ? [] : [keys.rs, keys.es, ...previousKeys];
      keys = fresh;
      current = createProvider();
    },
    close,
  };
}
