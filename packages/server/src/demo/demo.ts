/**
 * The demo: on a fresh `npm start` with nothing configured, a clearly labelled OpenID Provider on
 * loopback, a "Demo" organisation (example.com) whose provider "demo" points at it, and a demo user,
 * so the sign-in page at `/` works end to end without an identity provider of your own.
 *
 * When it runs (DEMO=auto, the default; DEMO=off never runs any of this):
 * - fresh: no organisation exists, no DATA_DIR/demo.json, and PUBLIC_URL is plain http on a
 *   loopback host (a deployment with a real public URL never gets a demo);
 * - again: DATA_DIR/demo.json exists and the database still has the organisation it names. The
 *   file keeps the demo provider's port, signing keys, cookie keys and client, so the provider
 *   comes back as it was and tokens it signed still verify.
 * Otherwise nothing demo-like starts. While the demo runs the process allows plain-http providers
 * on loopback (the demo provider is one), whatever ALLOW_INSECURE_LOOPBACK_PROVIDERS says.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AdminCaller } from "../admin/admin-actions.ts";
import { createOrganisation } from "../admin/organisations.ts";
import { saveProvider } from "../admin/providers.ts";
import { DEMO_SAML_PROVIDER_NAME, seedDemoSamlProvider } from "./demo-saml.ts";
import type { Config } from "../config.ts";
import { openDatabase } from "../store/database.ts";
import { organisationRepository } from "../store/organisations.ts";
import type { Store } from "../store/store.ts";
import {
  generateSigningKeySet,
  type OidcProviderServer,
  type ProviderUser,
  type SamlKeyPair,
  type SigningKeySet,
  startOidcProviderServer,
} from "@pipeshub-auth/demo-provider";

export const DEMO_STATE_FILE = "demo.json";
export const DEMO_ORGANISATION = { name: "Demo", domain: "example.com" } as const;
export const DEMO_PROVIDER_NAME = "demo";
/** Who the audit trail says seeded the demo organisation and its provider. */
/** The service seeding its own demo, on the operator's behalf. */
const DEMO_SEEDING: AdminCaller = { actor: "demo", ip: null, delegated: false };
export const DEMO_USER: Readonly<Required<ProviderUser>> = Object.freeze({
  sub: "demo-user",
  email: "demo@example.com",
  email_verified: true,
  name: "Demo User",
  password: "demo",
});

/** What DATA_DIR/demo.json keeps between starts (mode 0600: it holds keys and the client secret). */
export interface DemoState {
  readonly version: 1;
  readonly port: number;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUri: string;
  readonly signingKeys: SigningKeySet;
  readonly cookieKeys: string[];
  readonly orgId: string;
  /** The demo SAML IdP's signing key and certificate (absent in a demo.json from before SAML). */
  readonly samlKeyPair?: SamlKeyPair;
}

export type DemoPlan = { readonly run: false; readonly note?: string } | { readonly run: true; readonly state: DemoState | undefined };

export interface RunningDemo {
  readonly provider: OidcProviderServer;
  readonly state: DemoState;
  readonly created: boolean;
  /** The lines printed at start: where to sign in, the provider, the credentials. */
  describe(): string;
  close(): Promise<void>;
}

const isLoopbackHost = (hostname: string) => hostname === "127.0.0.1" || hostname === "localhost" || hostname === "[::1]";

function statePath(config: Config): string {
  return join(config.dataDir, DEMO_STATE_FILE);
}

function readState(path: string): DemoState | undefined {
  if (!existsSync(path)) return undefined;
  let parsed: Partial<DemoState>;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8")) as Partial<DemoState>;
  } catch {
    throw new Error(`${path} is not valid JSON: delete it to start a fresh demo, or set DEMO=off`);
  }
  const ok =
    parsed.version === 1 &&
    Number.isInteger(parsed.port) &&
    typeof parsed.clientId === "string" &&
    typeof parsed.clientSecret === "string" &&
    typeof parsed.redirectUri === "string" &&
    typeof parsed.orgId === "string" &&
    Array.isArray(parsed.cookieKeys) &&
    typeof parsed.signingKeys?.rs === "object" &&
    typeof parsed.signingKeys?.es === "object";
  if (!ok) throw new Error(`${path} is not a demo state this version understands: delete it to start a fresh demo, or set DEMO=off`);
  return parsed as DemoState;
}

function writeState(path: string, state: DemoState): void {
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

/** Decides whether the demo runs. Opens the database briefly to see what is configured. */
export async function planDemo(config: Config): Promise<DemoPlan> {
  if (config.demo === "off") return { run: false };
  const path = statePath(config);
  const state = readState(path);
  const db = await openDatabase(config.database, { migrate: config.migrateAtStart });
  let demoOrgExists: boolean;
  let anyOrg: boolean;
  try {
    const organisations = organisationRepository(db);
    demoOrgExists = state !== undefined && (await organisations.get(state.orgId)) !== undefined;
    anyOrg = (await organisations.list(1)).length > 0;
  } finally {
    await db.destroy();
  }
  if (state && demoOrgExists) return { run: true, state };
  if (anyOrg) {
    return state
      ? {
          run: false,
          note: `${path} names an organisation this database does not have: the demo provider is not started (delete the file to silence this).`,
        }
      : { run: false };
  }
  const publicUrl = new URL(config.publicUrl);
  if (publicUrl.protocol !== "http:" || !isLoopbackHost(publicUrl.hostname)) {
    return {
      run: false,
      note: `no organisation is configured yet; the demo only starts when PUBLIC_URL is http on loopback (it is ${config.publicUrl}).`,
    };
  }
  return { run: true, state: undefined };
}

/** The config the service runs with while the demo runs: plain-http loopback providers allowed. */
export function demoConfig(config: Config): Config {
  return Object.freeze({ ...config, allowInsecureLoopbackProviders: true });
}

async function listen(port: number, options: Parameters<typeof startOidcProviderServer>[0]): Promise<OidcProviderServer> {
  try {
    return await startOidcProviderServer({ ...options, port });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE" || port === 0) throw error;
    return startOidcProviderServer({ ...options, port: 0 });
  }
}

/**
 * Starts the demo provider (on the remembered port, else the service's port + 1, else any free
 * port) and makes sure the demo organisation and its provider point at it. `store` must belong to
 * an app built with `demoConfig(config)`.
 */
export async function startDemo(config: Config, plan: Extract<DemoPlan, { run: true }>, store: Store): Promise<RunningDemo> {
  const previous = plan.state;
  const redirectUri = `${config.publicUrl}/callback`;
  // The console's page for test sign-ins, so the demo provider can be tried from /admin too.
  const testSignInUri = `${config.publicUrl}/admin/test-signin`;
  const clientId = previous?.clientId ?? "pipeshub-auth-demo";
  const clientSecret = previous?.clientSecret ?? randomBytes(24).toString("base64url");
  const preferredPort = previous?.port ?? (config.port > 0 && config.port < 65535 ? config.port + 1 : 0);
  const provider = await listen(preferredPort, {
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: [redirectUri, testSignInUri] }],
    users: [{ ...DEMO_USER }],
    signingKeys: previous?.signingKeys ?? (await generateSigningKeySet()),
    ...(previous && { cookieKeys: previous.cookieKeys }),
    ...(previous?.samlKeyPair && { samlKeyPair: previous.samlKeyPair }),
    label: "Demo provider",
    loginHint: `Demo user: ${DEMO_USER.email}, password "${DEMO_USER.password}".`,
  });
  try {
    let orgId = previous?.orgId;
    if (orgId === undefined) {
      const org = await createOrganisation(store, DEMO_ORGANISATION.name, [DEMO_ORGANISATION.domain], DEMO_SEEDING);
      if (!org.ok) throw new Error(`could not create the demo organisation: ${org.message}`);
      orgId = org.value.id;
    }
    // Seeded once; later starts re-save only what moved (the port, or PUBLIC_URL), keeping admin edits.
    const current = await store.providers.view(orgId, DEMO_PROVIDER_NAME);
    if (
      !current ||
      current.issuer !== provider.issuer ||
      ![redirectUri, testSignInUri].every((uri) => current.redirectUris.includes(uri))
    ) {
      const saved = await saveProvider(
        store,
        orgId,
        DEMO_PROVIDER_NAME,
        {
          ...(current && { scope: current.scope, trustEmail: current.trustEmail, requirePkce: current.requirePkce }),
          clientId,
          clientSecret,
          issuer: provider.issuer,
          redirectUris: [redirectUri, testSignInUri],
          enableJit: true,
        },
        { allowInsecureLoopback: true },
        DEMO_SEEDING,
      );
      if (!saved.ok) throw new Error(`could not save the demo provider: ${saved.message}`);
    }
    await seedDemoSamlProvider(store, orgId, provider, [redirectUri, testSignInUri], DEMO_SEEDING);
    const state: DemoState = {
      version: 1,
      port: provider.port,
      clientId,
      clientSecret,
      redirectUri,
      signingKeys: provider.signingKeys,
      cookieKeys: [...provider.cookieKeys],
      orgId,
      samlKeyPair: provider.saml.keyPair,
    };
    writeState(statePath(config), state);
    return {
      provider,
      state,
      created: previous === undefined,
      describe() {
        const base = config.publicUrl;
        return [
          "",
          `Demo mode (DEMO=auto; ${previous ? `restarted from ${statePath(config)}` : "no organisation was configured"}):`,
          `  Sign in at:     ${base}/`,
          `  Demo provider:  ${provider.issuer}  (a stand-in OpenID Provider on loopback, not for real accounts)`,
          `  Demo user:      ${DEMO_USER.email}  password: ${DEMO_USER.password}`,
          `  Admin console:  ${base}/admin  (the admin token above; test sign-ins at the demo provider work there too)`,
          `  Organisation "${DEMO_ORGANISATION.name}" (${DEMO_ORGANISATION.domain}, id ${orgId}) with provider "${DEMO_PROVIDER_NAME}", redirect URIs ${redirectUri} and ${testSignInUri}`,
          `  and SAML provider "${DEMO_SAML_PROVIDER_NAME}" (the demo provider's SAML IdP, ${provider.saml.metadataUrl}) for the same user`,
          "  Plain-http providers on loopback are ALLOWED while the demo runs (as with ALLOW_INSECURE_LOOPBACK_PROVIDERS=true).",
          `  DEMO=off turns all of this off; ${DEMO_STATE_FILE} in DATA_DIR keeps the demo provider's port, keys and client.`,
          "",
        ].join("\n");
      },
      close: () => provider.close(),
    };
  } catch (error) {
    await provider.close();
    throw error;
  }
}
