import type { SecretBox } from "../domain/ports/keys.ts";
import type { Db } from "./database.ts";

const ROW_ID = "encryption-key";
const CHECK_TEXT = "pipeshub-auth encryption key check";

/** ENCRYPTION_KEY (none of its listed keys) opens what this database holds. */
export class EncryptionKeyMismatchError extends Error {
  constructor() {
    super(
      "ENCRYPTION_KEY: none of the given keys opens this database's secrets (every instance needs the same key; while rotating, list the new key first and the old one after it)",
    );
    this.name = "EncryptionKeyMismatchError";
  }
}

/**
 * Checks ENCRYPTION_KEY against the check value the database records (writing it on first start):
 * any listed key that opens it is accepted, and the check is then re-sealed under the first.
 * Throws `EncryptionKeyMismatchError` when none does.
 */
export async function checkEncryptionKey(db: Db, secrets: SecretBox): Promise<void> {
  const read = () => db.selectFrom("encryption_key_check").select("sealed_check").where("id", "=", ROW_ID).executeTakeFirst();
  let row = await read();
  if (!row) {
    // Instances starting together: the first insert wins, the others check against it.
    await db
      .insertInto("encryption_key_check")
      .values({ id: ROW_ID, sealed_check: secrets.seal(CHECK_TEXT, ROW_ID), updated_at: new Date().toISOString() })
      .onConflict((c) => c.column("id").doNothing())
      .execute();
    row = await read();
    if (!row) throw new Error("the encryption key check value was not stored");
  }
  let opened: string;
  try {
    opened = secrets.open(row.sealed_check, ROW_ID);
  } catch {
    throw new EncryptionKeyMismatchError();
  }
  if (opened !== CHECK_TEXT) throw new EncryptionKeyMismatchError();
  if (!secrets.sealedWithCurrentKey(row.sealed_check, ROW_ID)) {
    await db
      .updateTable("encryption_key_check")
      .set({ sealed_check: secrets.seal(CHECK_TEXT, ROW_ID), updated_at: new Date().toISOString() })
      .where("id", "=", ROW_ID)
      .execute();
  }
}
