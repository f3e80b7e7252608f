/**
 * A scripted "browser" (fetch + cookie jar) for tests: it signs in at this provider through its
 * genuine login and consent pages, matching them by INTERACTION_PATH and INTERACTION_PROMPT_HEADER.
 */
import { INTERACTION_PATH, INTERACTION_PROMPT_HEADER } from "./interactions.ts";

export interface AuthorizeParams {
  clientId: string;
  redirectUri: string;
  /** the user's sub, typed into the login form */
  login: string;
  /** typed into the login form too, for users with a password (the demo user) */
  password?: string;
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

/**
 * Drives the real authorization request → login → consent interaction over HTTP as a
 * fresh browser (new cookie jar per call) and returns what the provider redirected the
 * browser to at the redirect_uri (which is parsed, never fetched). Throws when the
 * provider does not redirect back at all (e.g. unknown client or unregistered
 * redirect_uri: the provider renders an error page) or when `login` is not a known user.
 */
export async function authorizeWithScriptedBrowser(issuer: string, p: AuthorizeParams): Promise<AuthorizeResult> {
  const issuerOrigin = new URL(issuer).origin;
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

    const prompt = res.headers.get(INTERACTION_PROMPT_HEADER);
    const im = INTERACTION_PATH.exec(url.pathname);
    if (res.status === 200 && prompt && im?.[1]) {
      await res.body?.cancel();
      const uid = im[1];
      method = "POST";
      if (prompt === "login") {
        url = new URL(`/interaction/${uid}/login`, issuer);
        body = new URLSearchParams({ login: p.login, ...(p.password !== undefined && { password: p.password }) });
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
