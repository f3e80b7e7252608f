import { createServer } from "node:net";
import type { Config } from "./config.ts";

/**
 * PORT=0 without PUBLIC_URL would make the public URL (the tokens' issuer, the demo's redirect
 * URI) name port 0. Picks a free port now instead, so both name the port the service listens on.
 */
export async function pinFreePort(config: Config): Promise<Config> {
  if (config.port !== 0 || new URL(config.publicUrl).port !== "0") return config;
  const port = await new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, config.host, () => {
      const address = probe.address();
      const found = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(found));
    });
  });
  const publicUrl = new URL(config.publicUrl);
  publicUrl.port = String(port);
  return Object.freeze({ ...config, port, publicUrl: publicUrl.href.replace(/\/+$/, "") });
}
