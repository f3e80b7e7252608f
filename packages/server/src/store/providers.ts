import { isoNow, newId } from "../domain/ids.ts";
import type { SecretBox } from "../domain/ports/keys.ts";
import type { ProviderRepository } from "../domain/ports/repositories.ts";
import type { ProviderSettings, ProviderView } from "../domain/provider-settings.ts";
import type { Db } from "./database.ts";
import type { ProvidersTable } from "./schema.ts";

function toView(row: ProvidersTable): ProviderView {
  return {
    ...(JSON.parse(row.settings) as ProviderSettings),
    clientSecretSet: row.client_secret_sealed !== null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Providers with their client secrets sealed (bound to the provider's id). */
export function providerRepository(db: Db, secrets: SecretBox): ProviderRepository {
  const find = (orgId: string, name: string) =>
    db.selectFrom("providers").selectAll().where("org_id", "=", orgId).where("name", "=", name).executeTakeFirst();

  return {
    async put(orgId, settings, clientSecret, replacement) {
      return db.transaction().execute(async (trx) => {
        const existing = await trx.selectFrom("providers").selectAll().where("org_id", "=", orgId).where("name", "=", settings.providerName).executeTakeFirst();
        const now = isoNow();
        const id = existing?.id ?? newId();
        const sealed = clientSecret !== undefined ? secrets.seal(clientSecret, id) : (existing?.client_secret_sealed ?? null);
        const row: ProvidersTable = {
          id,
          org_id: orgId,
          name: settings.providerName,
          settings: JSON.stringify(settings),
          client_secret_sealed: sealed,
          created_at: existing?.created_at ?? now,
          updated_at: now,
        };
        if (existing) {
          // Read and decided inside the transaction, so a concurrent write cannot slip between.
          if (!replacement.identityLinksSurvive(JSON.parse(existing.settings) as ProviderSettings)) {
            await trx.deleteFrom("identity_links").where("provider_id", "=", id).execute();
          }
          await trx.updateTable("providers").set({ settings: row.settings, client_secret_sealed: sealed, updated_at: now }).where("id", "=", id).execute();
        } else {
          await trx.insertInto("providers").values(row).execute();
        }
        return { view: toView(row), created: !existing };
      });
    },
    async hasSecret(orgId, name) {
      return (await find(orgId, name))?.client_secret_sealed != null;
    },
    async view(orgId, name) {
      const row = await find(orgId, name);
      return row ? toView(row) : undefined;
    },
    async list(orgId) {
      const rows = await db.selectFrom("providers").selectAll().where("org_id", "=", orgId).orderBy("name").execute();
      return rows.map(toView);
    },
    async remove(orgId, name) {
      const result = await db.deleteFrom("providers").where("org_id", "=", orgId).where("name", "=", name).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async configured(orgId, name) {
      const row = await find(orgId, name);
      if (!row) return undefined;
      return {
        id: row.id,
        orgId: row.org_id,
        settings: JSON.parse(row.settings) as ProviderSettings,
        clientSecret: row.client_secret_sealed === null ? undefined : secrets.open(row.client_secret_sealed, row.id),
      };
    },
  };
}
