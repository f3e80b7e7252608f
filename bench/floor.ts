/**
 * The floor: the least a correct exchange can do on this machine. It redeems the code over a
 * keep-alive `node:http` connection, checks the ID token's RS256 signature with `node:crypto`
 * against the provider's key (fetched once) and its iss/aud/exp/iat/sub, checks the email is
 * the one named and verified, and answers the seed's JSON. Nothing else: no storage, no logs,
 * no framework, no schema validation, no state/PKCE/nonce.
 *
 * Env: ISSUER, CLIENT_ID, CLIENT_SECRET. Serves POST /userAccount/oauth/exchange with the
 * seed's body {code, email, provider, redirectUri}. Prints `READY {"url": …}`.
 */
import { createPublicKey, type JsonWebKey, type KeyObject, verify } from "node:crypto";
import { Agent, createServer, get, request } from "node:http";
import { announceReady } from "./lib/ready.ts";

const issuer = process.env.ISSUER ?? "";
const clientId = process.env.CLIENT_ID ?? "";
const clientSecret = process.env.CLIENT_SECRET ?? "";
if (!issuer || !clientId || !clientSecret) throw new Error("ISSUER, CLIENT_ID and CLIENT_SECRET are required");

const agent = new Agent({ keepAlive: true, maxSockets: 64 });
const tokenUrl = new URL(`${issuer}/token`);
const basic = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`;

function fetchJson(url: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve(JSON.parse(text)));
    }).on("error", reject);
  });
}

const jwks = (await fetchJson(`${issuer}/jwks`)) as { keys: (JsonWebKey & { kid: string })[] };
const keys = new Map<string, KeyObject>(jwks.keys.map((k) => [k.kid, createPublicKey({ key: k, format: "jwk" })]));

interface Tokens {
  access_token: string;
  id_token: string;
  token_type: string;
  expires_in: number;
}

function redeem(code: string, redirectUri: string): Promise<Tokens> {
  const body = new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: redirectUri }).toString();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: tokenUrl.hostname,
        port: tokenUrl.port,
        path: tokenUrl.pathname,
        method: "POST",
        agent,
        headers: { "content-type": "application/x-www-form-urlencoded", authorization: basic, "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => {
          if (res.statusCode !== 200) return reject(new Error(`token endpoint answered ${res.statusCode}`));
          try {
            resolve(JSON.parse(text) as Tokens);
          } catch (error) {
            reject(error as Error);
          }
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

function verifyIdToken(jwt: string): Record<string, unknown> {
  const [h, p, s] = jwt.split(".");
  if (!h || !p || !s) throw new Error("malformed ID token");
  const head = JSON.parse(Buffer.from(h, "base64url").toString()) as { alg?: string; kid?: string };
  const key = head.kid === undefined ? undefined : keys.get(head.kid);
  if (head.alg !== "RS256" || !key) throw new Error("unexpected alg or kid");
  if (!verify("sha256", Buffer.from(`${h}.${p}`), key, Buffer.from(s, "base64url"))) throw new Error("bad signature");
  const claims = JSON.parse(Buffer.from(p, "base64url").toString()) as Record<string, unknown>;
  const now = Date.now() / 1000;
  if (
    claims.iss !== issuer ||
    claims.aud !== clientId ||
    typeof claims.sub !== "string" ||
    !(Number(claims.exp) > now) ||
    !(Number(claims.iat) <= now + 30)
  ) {
    throw new Error("claims");
  }
  return claims;
}

const server = createServer({ keepAliveTimeout: 120_000 }, (req, res) => {
  let body = "";
  req.setEncoding("utf8");
  req.on("data", (chunk: string) => (body += chunk));
  req.on("end", async () => {
    try {
      const { code, email, redirectUri } = JSON.parse(body) as { code: string; email: string; redirectUri: string };
      const tokens = await redeem(code, redirectUri);
      const claims = verifyIdToken(tokens.id_token);
      if (String(claims.email).toLowerCase() !== String(email).toLowerCase() || claims.email_verified !== true) throw new Error("email");
      const out = JSON.stringify({
        access_token: tokens.access_token,
        id_token: tokens.id_token,
        token_type: tokens.token_type,
        expires_in: tokens.expires_in,
      });
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(out) });
      res.end(out);
    } catch (error) {
      const out = JSON.stringify({ error: "BAD_REQUEST", message: (error as Error).message, statusCode: 400 });
      res.writeHead(400, { "content-type": "application/json", "content-length": Buffer.byteLength(out) });
      res.end(out);
    }
  });
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  announceReady({ url: `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}` });
});
