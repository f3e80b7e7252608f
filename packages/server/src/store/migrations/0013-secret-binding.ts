import type { Kysely, Migration } from "kysely";

type Row = { id: string; settings: string; client_secret_binding: string | null };

/**
 * Where a provider's stored client secrets may be sent (domain/secret-binding.ts, in its stored
 * form: an origin, or `issuer <url>`). Providers stored before are bound to what their current
 * settings say, since their secret was given for those: an explicit token endpoint's origin, or
 * the issuer whose discovery names it. Written out here so this step never changes with the code.
 */
export const secretBinding: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable("providers").addColumn("client_secret_binding", "text").execute();
    const providers = db as unknown as Kysely<{ providers: Row }>;
    const rows = await providers.selectFrom("providers").select(["id", "settings"]).execute();
    for (const row of rows) {
      const settings = JSON.parse(row.settings) as { issuer?: string; tokenEndpoint?: string };
      const binding =
        settings.issuer !== undefined && settings.tokenEndpoint === undefined
          ? `issuer ${settings.issuer}`
          : new URL(settings.tokenEndpoint!).origin;
      await providers.updateTable("providers").set({ client_secret_binding: binding }).where("id", "=", row.id).execute();
    }
  },
};
