import { randomUUID } from "node:crypto";
import { exportJWK, generateKeyPair } from "jose";
import type { JWK } from "jose";
import type { SigningKeySet } from "./types.ts";

/** Fresh private signing keys: one RS256, one ES256, each with a unique kid. */
export async function generateSigningKeySet(): Promise<SigningKeySet> {
  const make = async (alg: "RS256" | "ES256"): Promise<JWK> => {
    const { privateKey } = await generateKeyPair(alg, { extractable: true });
    const jwk = await exportJWK(privateKey);
    return { ...jwk, alg, use: "sig", kid: `${alg.toLowerCase()}-${randomUUID()}` };
  };
  const [rs, es] = await Promise.all([make("RS256"), make("ES256")]);
  return { rs, es };
}
