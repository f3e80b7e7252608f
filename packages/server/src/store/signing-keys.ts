import type { SigningKeyRepository, StoredSigningKey } from "../domain/ports/repositories.ts";
import type { Db } from "./database.ts";
import type { SigningKeysTable } from "./schema.ts";

function toStored(row: SigningKeysTable): StoredSigningKey {
  return {
    kid: row.kid,
    publicJwk: JSON.parse(row.public_jwk) as Record<string, unknown>,
    privateJwkSealed: row.private_jwk_sealed,
    createdAt: row.created_at,
    retiredAt: row.retired_at,
  };
}

function toRow(key: StoredSigningKey): SigningKeysTable {
  return {
    kid: key.kid,
    public_jwk: JSON.stringify(key.publicJwk),
    private_jwk_sealed: key.privateJwkSealed,
    created_at: key.createdAt,
    retired_at: key.retiredAt,
  };
}

/** The service's signing keys, in the database every instance shares (`keys/signing-keys.ts` uses them). */
export function signingKeyRepository(db: Db): SigningKeyRepository {
  return {
    async published(retiredAfter) {
      const rows = await db
        .selectFrom("signing_keys")
        .selectAll()
        .where((eb) => eb.or([eb("retired_at", "is", null), eb("retired_at", ">", retiredAfter)]))
        .orderBy("created_at", "desc")
        .orderBy("kid", "desc")
        .execute();
      return rows.map(toStored);
    },

    async add(key) {
      await db.insertInto("signing_keys").values(toRow(key)).execute();
    },

    async rotateTo(key) {
      await db.transaction().execute(async (trx) => {
        await trx.insertInto("signing_keys").values(toRow(key)).execute();
        await trx
          .updateTable("signing_keys")
          .set({ retired_at: key.createdAt })
          .where("retired_at", "is", null)
          .where("kid", "!=", key.kid)
          .execute();
      });
    },
  };
}
