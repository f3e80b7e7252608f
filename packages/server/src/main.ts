import { ConfigError, type ConfigDraft, readConfig } from "./config.ts";
import { DataDirInUseError, keepsStateInDataDir, lockDataDir } from "./data-dir-lock.ts";
import type { RunningDemo } from "./demo/demo.ts";
import { type BoundPort, bindPort, PortInUseError, withBoundPort } from "./free-port.ts";
import { materialiseSecrets } from "./secrets-on-disk.ts";
import { EncryptionKeyMismatchError } from "./store/encryption-key-check.ts";

function badConfiguration(error: unknown): never {
  if (!(error instanceof ConfigError) && !(error instanceof EncryptionKeyMismatchError)) throw error;
  console.error(`pipeshub-auth: bad configuration: ${error.message}`);
  process.exit(2);
}

/**
 * `main.ts migrate` (`npm run migrate`): applies pending migrations to DATABASE_URL and exits,
 * for deploys that start instances with MIGRATE_AT_START=false.
 */
async function migrate(draft: ConfigDraft): Promise<void> {
  const { migrateDatabase } = await import("./store/database.ts");
  const applied = await migrateDatabase(draft.database);
  console.log(
    applied.length === 0 ? "pipeshub-auth: database schema is up to date" : `pipeshub-auth: applied migrations ${applied.join(", ")}`,
  );
}

async function main(): Promise<void> {
  let draft: ConfigDraft;
  try {
    draft = readConfig(process.env);
  } catch (error) {
    badConfiguration(error);
  }
  const command = process.argv[2];
  if (command === "migrate") return migrate(draft);
  if (command !== undefined) {
    console.error(`pipeshub-auth: unknown command "${command}" (commands: migrate; none starts the service)`);
    process.exit(2);
  }
  // The port first: a second start on a port in use stops here, before it generates secrets,
  // writes demo.json, migrates the database or re-points the demo provider of the first.
  let bound: BoundPort;
  try {
    bound = await bindPort(draft.host, draft.port);
  } catch (error) {
    if (error instanceof PortInUseError) {
      console.error(`pipeshub-auth: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  // The data folder next: a second start on another port stops here, before it reads or writes
  // a secret, opens the database or re-points the demo of the first (src/data-dir-lock.ts).
  if (keepsStateInDataDir(withBoundPort(draft, bound.port))) {
    try {
      const lock = lockDataDir(draft.dataDir, bound.port);
      process.on("exit", () => lock.release());
    } catch (error) {
      if (error instanceof DataDirInUseError) {
        console.error(`pipeshub-auth: ${error.message}`);
        process.exit(1);
      }
      throw error;
    }
  }
  let prepared;
  try {
    prepared = materialiseSecrets(withBoundPort(draft, bound.port));
  } catch (error) {
    badConfiguration(error);
  }
  const { adminTokenCreated, config } = prepared;
  // Loaded once the port is ours: the framework, database drivers and OAuth libraries take a
  // while to load, and a second start should say at once that the port is taken.
  const [{ buildApp }, { demoConfig, planDemo, startDemo }] = await Promise.all([import("./app.ts"), import("./demo/demo.ts")]);
  // The demo (src/demo/demo.ts) runs only with DEMO=auto on a loopback PUBLIC_URL and nothing configured, or again after it ran.
  const demoPlan = await planDemo(config);
  let app;
  try {
    app = await buildApp(demoPlan.run ? demoConfig(config) : config, { server: bound.server });
  } catch (error) {
    badConfiguration(error);
  }
  let demo: RunningDemo | undefined;
  if (demoPlan.run) {
    try {
      demo = await startDemo(config, demoPlan, app.store);
    } catch (error) {
      await app.close();
      throw error;
    }
  }
  await app.server.ready();
  // Ready for a signal before saying so: whoever waits for "listening on" may stop us at once.
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.server.log.info({ signal }, "shutting down: finishing in-flight requests");
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    Promise.all([app.close(), demo?.close()]).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
  bound.serve(app.server.routing);
  console.log(
    `pipeshub-auth listening on http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${bound.port} (public URL ${config.publicUrl})`,
  );
  if (adminTokenCreated) {
    console.log(`Admin token (generated once, stored in ${config.dataDir}/admin-token): ${config.adminToken}`);
  }
  if (demo) console.log(demo.describe());
  else console.log(`Sign-in page: ${config.publicUrl}/${!demoPlan.run && demoPlan.note ? `\nDemo not started: ${demoPlan.note}` : ""}`);
}

main().catch((error: unknown) => {
  console.error(`pipeshub-auth: failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
