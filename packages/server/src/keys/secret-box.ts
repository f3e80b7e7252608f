import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject, randomBytes } from "node:crypto";
import type { SecretBox } from "../domain/ports/keys.ts";

const VERSION = "v1";

function openWith(key: KeyObject, sealed: string, context: string): string {
  const [version, iv, tag, body] = sealed.split(".");
  if (version !== VERSION || iv === undefined || tag === undefined || body === undefined) {
    throw new Error("sealed secret has an unknown format");
  }
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
  decipher.setAAD(Buffer.from(context, "utf8"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
}

/**
 * Seals secrets at rest with AES-256-GCM under the 32-byte ENCRYPTION_KEY: `v1.<iv>.<tag>.<body>`,
 * a fresh 96-bit IV each time, `context` as additional authenticated data.
 *
 * Key rotation: `key` seals every new value; a value opens under it or under any of `previous`
 * (tried in order — GCM's tag tells a wrong key apart), so instances can be given the new key
 * first in their list before `keys reencrypt` moves every stored value onto it.
 */
export function createSecretBox(currentKey: Buffer, previous: readonly Buffer[] = []): SecretBox {
  if ([currentKey, ...previous].some((k) => k.length !== 32)) throw new Error("secret box key must be 32 bytes");
  // KeyObjects, made once: with a Buffer, every cipher made imports the key again (and Node
  // throws and catches internally on the way), several times the cost of the decryption.
  const [key, ...older] = [currentKey, ...previous].map((k) => createSecretKey(k));
  const keys = [key!, ...older];
  return {
    seal(plaintext, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key!, iv);
      cipher.setAAD(Buffer.from(context, "utf8"));
      const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      return `${VERSION}.${iv.toString("base64url")}.${cipher.getAuthTag().toString("base64url")}.${body.toString("base64url")}`;
    },
    open(sealed, context) {
      let failure: unknown;
      for (const candidate of keys) {
        try {
          return openWith(candidate, sealed, context);
        } catch (error) {
          failure = error;
        }
      }
      throw failure;
    },
    sealedWithCurrentKey(sealed, context) {
      try {
        openWith(key!, sealed, context);
        return true;
      } catch {
        return false;
      }
    },
  };
}
