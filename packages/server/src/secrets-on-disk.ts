import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Config, type ConfigDraft, parseEncryptionKey } from "./config.ts";

/** Reads a generated secret from DATA_DIR, creating it (mode 0600) on first start. */
function readOrCreate(path: string, create: () => string): { value: string; created: boolean } {
  if (existsSync(path)) return { value: readFileSync(path, "utf8").trim(), created: false };
  const value = create();
  writeFileSync(path, `${value}\n`, { mode: 0o600, flag: "wx" });
  chmodSync(path, 0o600);
  return { value, created: true };
}

/**
 * Completes a config: ENCRYPTION_KEY and ADMIN_TOKEN default to values generated once into
 * DATA_DIR. Returns whether the admin token was just created (so it is printed once).
 */
export function materialiseSecrets(draft: ConfigDraft): { config: Config; adminTokenCreated: boolean } {
  mkdirSync(draft.dataDir, { recursive: true, mode: 0o700 });
  const encryptionKey =
    draft.encryptionKey ??
    parseEncryptionKey(
      readOrCreate(join(draft.dataDir, "encryption.key"), () => randomBytes(32).toString("hex")).value,
      "DATA_DIR/encryption.key",
    );
  let adminTokenCreated = false;
  let adminToken = draft.adminToken;
  if (adminToken === undefined) {
    const stored = readOrCreate(join(draft.dataDir, "admin-token"), () => randomBytes(24).toString("base64url"));
    adminToken = stored.value;
    adminTokenCreated = stored.created;
  }
  return { config: Object.freeze({ ...draft, encryptionKey, adminToken }), adminTokenCreated };
}
