import { buildApp } from "./app.ts";
import { ConfigError, readConfig } from "./config.ts";
import { demoConfig, planDemo, type RunningDemo, startDemo } from "./demo/demo.ts";
import { pinFreePort } from "./free-port.ts";
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
  const { adminTokenCreated } = prepared;
  const config = await pinFreePort(prepared.config);
  // The demo (src/demo/demo.ts) runs only with DEMO=auto on a loopback PUBLIC_URL and nothing configured, or again after it ran.
  const demoPlan = await planDemo(config);
  const app = await buildApp(demoPlan.run ? demoConfig(config) : config);
  let demo: RunningDemo | undefined;
  if (demoPlan.run) {
    try {
      demo = await startDemo(config, demoPlan, app.store);
    } catch (error) {
      await app.close();
      throw error;
    }
  }
  await app.server.listen({ host: config.host, port: config.port });
  const address = app.server.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  console.log(`pipeshub-auth listening on http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port} (public URL ${config.publicUrl})`);
  if (adminTokenCreated) {
    console.log(`Admin token (generated once, stored in ${config.dataDir}/admin-token): ${config.adminToken}`);
  }
  if (demo) console.log(demo.describe());
  else console.log(`Sign-in page: ${config.publicUrl}/${!demoPlan.run && demoPlan.note ? `\nDemo not started: ${demoPlan.note}` : ""}`);

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.server.log.info({ signal }, "shutting down: finishing in-flight requests");
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    Promise.all([app.close(), demo?.close()]).then(() => process.exit(0), () => process.exit(1));
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

main().catch((error: unknown) => {
  console.error(`pipeshub-auth: failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
