import type { SealedSecrets, SecretBox } from "../domain/ports/keys.ts";
import type { Db } from "./database.ts";

/**
 * Every value sealed under ENCRYPTION_KEY — providers' client secrets and SAML providers' SP keys (bound to the provider's
 * id) and signing keys' private halves (bound to the kid) — re-sealed under the current key.
 */
export function sealedSecretRepository(db: Db, secrets: SecretBox): SealedSecrets {
  return {
    async reencrypt() {
      let reencrypted = 0;
      const providers = await db
        .selectFrom("providers")
        .select(["id", "client_secret_sealed", "next_client_secret_sealed", "sp_private_key_sealed"])
        .execute();
      // A provider's current secret and the next one of a rotation; a SAML provider's SP key.
      for (const column of ["client_secret_sealed", "next_client_secret_sealed", "sp_private_key_sealed"] as const) {
        for (const { id, [column]: sealed } of providers) {
          if (sealed === null || sealed === undefined || secrets.sealedWithCurrentKey(sealed, id)) continue;
          const resealed = secrets.seal(secrets.open(sealed, id), id);
          // Only if unchanged meanwhile: a secret replaced concurrently is already under the current key.
          const result = await db
            .updateTable("providers")
            .set({ [column]: resealed })
            .where("id", "=", id)
            .where(column, "=", sealed)
            .executeTakeFirst();
          if (result.numUpdatedRows > 0n) reencrypted++;
        }
      }
      const keys = await db.selectFrom("signing_keys").select(["kid", "private_jwk_sealed"]).execute();
      for (const { kid, private_jwk_sealed: sealed } of keys) {
        if (secrets.sealedWithCurrentKey(sealed, kid)) continue;
        const resealed = secrets.seal(secrets.open(sealed, kid), kid);
        const result = await db
          .updateTable("signing_keys")
          .set({ private_jwk_sealed: resealed })
          .where("kid", "=", kid)
          .where("private_jwk_sealed", "=", sealed)
          .executeTakeFirst();
        if (result.numUpdatedRows > 0n) reencrypted++;
      }
      return { reencrypted };
    },
  };
}
