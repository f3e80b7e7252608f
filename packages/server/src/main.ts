import { buildApp } from "./app.ts";
import { ConfigError, readConfig } from "./config.ts";
import { materialiseSecrets } from "./secrets-on-disk.ts";

async function main(): Promise<void> {
  let prepared;
  try {
    prepared = materialiseSecrets(readConfig(process.env));
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`pipeshub-auth: bad configuration: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const { config, adminTokenCreated } = prepared;
  const app = await buildApp(config);
  await app.server.listen({ host: config.host, port: config.port });
  const address = app.server.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  console.log(`pipeshub-auth listening on http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port} (public URL ${config.publicUrl})`);
  if (adminTokenCreated) {
    console.log(`Admin token (generated once, stored in ${config.dataDir}/admin-token): ${config.adminToken}`);
  }

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.server.log.info({ signal }, "shutting down: finishing in-flight requests");
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    app.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

main().catch((error: unknown) => {
  console.error(`pipeshub-auth: failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
