import type { SecretBox } from "../keys/secret-box.ts";
import type { ConfiguredProvider } from "../signin/model.ts";
import { type ProviderSettings, subjectNamespace } from "../signin/provider-settings.ts";
import type { Db } from "./database.ts";
import { isoNow, newId } from "./ids.ts";
import type { ProvidersTable } from "./schema.ts";

/** A provider as admins see it: never the secret, only whether one is set. */
export interface ProviderView extends ProviderSettings {
  readonly clientSecretSet: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

function toView(row: ProvidersTable): ProviderView {
  return {
    ...(JSON.parse(row.settings) as ProviderSettings),
    clientSecretSet: row.client_secret_sealed !== null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function providerRepository(db: Db, secrets: SecretBox) {
  const find = (orgId: string, name: string) =>
    db.selectFrom("providers").selectAll().where("org_id", "=", orgId).where("name", "=", name).executeTakeFirst();

  return {
    /**
     * Creates or replaces a provider. `clientSecret` undefined keeps the stored secret. When the
     * provider's subject namespace (issuer, or token endpoint) changes, its identity links are
     * dropped: a subject from another issuer must never match an old link.
     */
    async put(orgId: string, settings: ProviderSettings, clientSecret: string | undefined): Promise<{ view: ProviderView; created: boolean }> {
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
          const before = JSON.parse(existing.settings) as ProviderSettings;
          if (subjectNamespace(before) !== subjectNamespace(settings)) {
            await trx.deleteFrom("identity_links").where("provider_id", "=", id).execute();
          }
          await trx.updateTable("providers").set({ settings: row.settings, client_secret_sealed: sealed, updated_at: now }).where("id", "=", id).execute();
        } else {
          await trx.insertInto("providers").values(row).execute();
        }
        return { view: toView(row), created: !existing };
      });
    },
    async hasSecret(orgId: string, name: string): Promise<boolean> {
      return (await find(orgId, name))?.client_secret_sealed != null;
    },
    async view(orgId: string, name: string): Promise<ProviderView | undefined> {
      const row = await find(orgId, name);
      return row ? toView(row) : undefined;
    },
    async list(orgId: string): Promise<ProviderView[]> {
      const rows = await db.selectFrom("providers").selectAll().where("org_id", "=", orgId).orderBy("name").execute();
      return rows.map(toView);
    },
    async remove(orgId: string, name: string): Promise<boolean> {
      const result = await db.deleteFrom("providers").where("org_id", "=", orgId).where("name", "=", name).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    /** The provider with its secret opened, for talking to the provider. */
    async configured(orgId: string, name: string): Promise<ConfiguredProvider | undefined> {
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

export type ProviderRepository = ReturnType<typeof providerRepository>;
