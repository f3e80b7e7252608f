/**
 * A fast OpenID Provider for load tests, in its own process: RS256 (what most providers sign
 * with), loopback only, so the provider is never what limits a benchmark.
 *
 * Users are named by the code: `u<g>.<d>.<anything>` redeems for user g of domain d, i.e.
 * `user<g>@d<d>.bench.test`, subject `sub-<g>`, with an ID token signed once per user and
 * reused (no nonce). Every code is distinct but none is remembered: the floor, the peer and
 * the service all send such codes.
 *
 * The authorization endpoint signs in whoever `login_hint` names, without a page (the bench
 * plays the browser): it remembers state-free what the request bound — redirect_uri,
 * code_challenge (S256), nonce — under a single-use code, and the token endpoint checks the
 * PKCE verifier and redirect_uri and signs an ID token carrying that nonce.
 *
 * Env: CLIENT_ID, CLIENT_SECRET (required); TOKEN_TTL_SECONDS (default 6 h, so long runs do
 * not outlive their pre-signed tokens). Prints `READY {"issuer": …}`.
 */
import { createHash, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { announceReady } from "./lib/ready.ts";

const clientId = process.env.CLIENT_ID ?? "";
const clientSecret = process.env.CLIENT_SECRET ?? "";
if (!clientId || !clientSecret) throw new Error("CLIENT_ID and CLIENT_SECRET are required");
const tokenTtl = Number(process.env.TOKEN_TTL_SECONDS ?? 6 * 3600);

const KID = "bench-rs256";
const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const jwk = { ...publicKey.export({ format: "jwk" }), kid: KID, alg: "RS256", use: "sig" };
const header = Buffer.from(JSON.stringify({ alg: "RS256", kid: KID, typ: "JWT" })).toString("base64url");

function signJwt(key: KeyObject, claims: Record<string, unknown>): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString("base64url");
  const signature = sign("sha256", Buffer.from(`${header}.${payload}`), key).toString("base64url");
  return `${header}.${payload}.${signature}`;
}

interface User {
  readonly g: number;
  readonly d: number;
}
const emailOf = (u: User) => `user${u.g}@d${u.d}.bench.test`;
const claimsOf = (u: User) => ({ sub: `sub-${u.g}`, email: emailOf(u), email_verified: true, name: `User ${u.g}` });

let issuer = "";
const idTokens = new Map<string, string>();
function idTokenFor(user: User, nonce?: string): string {
  const key = `${user.g}.${user.d}`;
  const cached = nonce === undefined ? idTokens.get(key) : undefined;
  if (cached) return cached;
  const now = Math.floor(Date.now() / 1000);
  const token = signJwt(privateKey, {
    iss: issuer,
    aud: clientId,
    iat: now,
    exp: now + tokenTtl,
    ...claimsOf(user),
    ...(nonce !== undefined && { nonce }),
  });
  if (nonce === undefined) idTokens.set(key, token);
  return token;
}

interface PendingCode {
  readonly user: User;
  readonly redirectUri: string;
  readonly challenge: string;
  readonly nonce: string | undefined;
  readonly expires: number;
}
const pending = new Map<string, PendingCode>();
const stats = { token: 0, userinfo: 0, authorize: 0, refused: 0 };
let counter = 0;

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), "cache-control": "no-store" });
  res.end(text);
}

function refuse(res: ServerResponse, status: number, error: string): void {
  stats.refused++;
  json(res, status, { error });
}

/** client_secret_basic (RFC 6749 §2.3.1: both parts form-urlencoded) or client_secret_post. */
function clientAuthenticated(req: IncomingMessage, form: URLSearchParams): boolean {
  const basic = /^Basic ([A-Za-z0-9+/=]+)$/.exec(req.headers.authorization ?? "");
  if (!basic) return form.get("client_id") === clientId && form.get("client_secret") === clientSecret;
  const decoded = Buffer.from(basic[1]!, "base64").toString();
  const colon = decoded.indexOf(":");
  const formDecode = (s: string) => decodeURIComponent(s.replaceAll("+", " "));
  try {
    return colon > 0 && formDecode(decoded.slice(0, colon)) === clientId && formDecode(decoded.slice(colon + 1)) === clientSecret;
  } catch {
    return false;
  }
}

function token(req: IncomingMessage, res: ServerResponse, body: string): void {
  stats.token++;
  const form = new URLSearchParams(body);
  if (!clientAuthenticated(req, form)) return refuse(res, 401, "invalid_client");
  if (form.get("grant_type") !== "authorization_code") return refuse(res, 400, "unsupported_grant_type");
  const code = form.get("code") ?? "";
  let user: User;
  let idToken: string;
  const direct = /^u(\d+)\.(\d+)\./.exec(code);
  if (direct) {
    user = { g: Number(direct[1]), d: Number(direct[2]) };
    idToken = idTokenFor(user);
  } else {
    const bound = pending.get(code);
    pending.delete(code);
    if (!bound || bound.expires < Date.now() || bound.redirectUri !== form.get("redirect_uri")) return refuse(res, 400, "invalid_grant");
    const verifier = form.get("code_verifier") ?? "";
    if (createHash("sha256").update(verifier).digest("base64url") !== bound.challenge) return refuse(res, 400, "invalid_grant");
    user = bound.user;
    idToken = idTokenFor(user, bound.nonce);
  }
  json(res, 200, {
    access_token: `at-${user.g}-${user.d}-${++counter}`,
    token_type: "Bearer",
    expires_in: 3600,
    id_token: idToken,
    scope: "openid email profile",
  });
}

function userinfo(req: IncomingMessage, res: ServerResponse): void {
  stats.userinfo++;
  const match = /^Bearer at-(\d+)-(\d+)-/.exec(req.headers.authorization ?? "");
  if (!match) return refuse(res, 401, "invalid_token");
  json(res, 200, claimsOf({ g: Number(match[1]), d: Number(match[2]) }));
}

/** The authorization endpoint, with `login_hint` standing in for the user at the login page. */
function authorize(url: URL, res: ServerResponse): void {
  stats.authorize++;
  const q = url.searchParams;
  const redirectUri = q.get("redirect_uri");
  const hint = /^user(\d+)@d(\d+)\.bench\.test$/.exec(q.get("login_hint") ?? "");
  if (!redirectUri || q.get("client_id") !== clientId || q.get("response_type") !== "code" || !hint)
    return refuse(res, 400, "invalid_request");
  if (q.get("code_challenge_method") !== "S256" || !q.get("code_challenge") || !q.get("state")) return refuse(res, 400, "invalid_request");
  const code = `c${++counter}.${Math.random().toString(36).slice(2)}`;
  pending.set(code, {
    user: { g: Number(hint[1]), d: Number(hint[2]) },
    redirectUri,
    challenge: q.get("code_challenge")!,
    nonce: q.get("nonce") ?? undefined,
    expires: Date.now() + 60_000,
  });
  if (pending.size > 100_000) for (const [key, value] of pending) if (value.expires < Date.now()) pending.delete(key);
  const to = new URL(redirectUri);
  to.searchParams.set("code", code);
  to.searchParams.set("state", q.get("state")!);
  res.writeHead(302, { location: to.href, "content-length": 0 });
  res.end();
}

const server = createServer({ keepAliveTimeout: 120_000 }, (req, res) => {
  const url = new URL(req.url ?? "/", issuer);
  if (req.method === "POST" && url.pathname === "/token") {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => token(req, res, body));
    return;
  }
  req.resume();
  if (url.pathname === "/.well-known/openid-configuration") {
    return json(res, 200, {
      issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      userinfo_endpoint: `${issuer}/userinfo`,
      jwks_uri: `${issuer}/jwks`,
      response_types_supported: ["code"],
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: ["RS256"],
      code_challenge_methods_supported: ["S256"],
      token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
      scopes_supported: ["openid", "email", "profile"],
    });
  }
  if (url.pathname === "/jwks") return json(res, 200, { keys: [jwk] });
  if (url.pathname === "/userinfo") return userinfo(req, res);
  if (url.pathname === "/authorize") return authorize(url, res);
  if (url.pathname === "/stats") return json(res, 200, { ...stats, pending: pending.size });
  refuse(res, 404, "not_found");
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  issuer = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  announceReady({ issuer });
});
process.on("SIGTERM", () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
