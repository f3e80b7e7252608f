/**
 * The whole-sign-in peer: Better Auth set up as an app would for "sign in with a generic OpenID
 * provider": its genericOAuth plugin on the provider's discovery document, PKCE and state (kept
 * in its verification table), the nonce on (its default) and the ID token checked against the
 * provider's JWKS, users created on first sign-in, accounts and sessions, all in SQLite
 * (node:sqlite, WAL) in a fresh temporary folder (removed when it exits), migrations run at start. Rate limiting is off,
 * as it is for the service under load. A sign-in is two requests (bench/lib/load.ts
 * betterAuthSignInRound): POST /api/auth/sign-in/social {provider} → the provider URL and a state
 * cookie; then, after the provider, GET the callback with code, state and cookie → 302 and a
 * session cookie.
 *
 * Env: ISSUER, CLIENT_ID, CLIENT_SECRET. Prints `READY {"url": …, "database": …}`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { betterAuth } from "better-auth";
import { getMigrations } from "better-auth/db/migration";
import { toNodeHandler } from "better-auth/node";
import { genericOAuth } from "better-auth/plugins/generic-oauth";
import { freePort } from "./lib/processes.ts";
import { announceReady } from "./lib/ready.ts";

const issuer = process.env.ISSUER ?? "";
const clientId = process.env.CLIENT_ID ?? "";
const clientSecret = process.env.CLIENT_SECRET ?? "";
if (!issuer || !clientId || !clientSecret) throw new Error("ISSUER, CLIENT_ID and CLIENT_SECRET are required");

const port = await freePort();
const folder = mkdtempSync(join(tmpdir(), "pipeshub-bench-better-auth-"));
const database = join(folder, "auth.db");
const db = new DatabaseSync(database);
db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;");

const options = {
  baseURL: `http://127.0.0.1:${port}`,
  secret: "bench-secret-bench-secret-bench-secret-0123456789",
  database: db,
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
  logger: { level: "error" as const },
  plugins: [
    genericOAuth({
      config: [
        {
          providerId: "corp",
          discoveryUrl: `${issuer}/.well-known/openid-configuration`,
          clientId,
          clientSecret,
          scopes: ["openid", "email", "profile"],
          pkce: true,
          // Refuses to start the provider without an issuer and a JWKS: the ID token is checked.
          requireIdTokenVerification: true,
        },
      ],
    }),
  ],
};

const { runMigrations } = await getMigrations(options);
await runMigrations();
const auth = betterAuth(options);
// Finish its start (discovery) before taking traffic.
await auth.$context;

const server = createServer({ keepAliveTimeout: 120_000 }, toNodeHandler(auth));
server.listen(port, "127.0.0.1", () => announceReady({ url: `http://127.0.0.1:${port}`, database }));
process.on("SIGTERM", () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
// Its files go with it, however it ends: at SIGTERM the process exits (130) before server.close calls back.
process.on("exit", () => rmSync(folder, { recursive: true, force: true }));
