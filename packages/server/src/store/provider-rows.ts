import { failure, type Failure } from "../domain/failures.ts";
import type { IdentitySettingsSavedBy, ProviderLinking } from "../domain/provider-linking.ts";
import type { Db } from "./database.ts";
import type { ProvidersTable } from "./schema.ts";

/**
 * What the OAuth and SAML provider repositories share: one table (migration 0016), each reading
 * only the rows of its `protocol`, so a name means one provider of an organisation.
 */
export type ProviderProtocolColumn = "oauth" | "saml";

/** A save over a name the organisation's provider of the other kind holds: one name, one provider. */
export const nameTakenBy = (kind: "OAuth" | "SAML", name: string): Failure =>
  failure(
    "PROVIDER_NAME_TAKEN",
    `The organisation already has a ${kind} provider named "${name}": choose another name, or delete that provider first.`,
  );

/** Anything but `operator` is the delegated admins' (the safer reading). */
export function linkingOf(row: Pick<ProvidersTable, "identity_settings_saved_by" | "link_existing_users">): ProviderLinking {
  const savedBy: IdentitySettingsSavedBy = row.identity_settings_saved_by === "operator" ? "operator" : "delegated";
  return { identitySettingsSavedBy: savedBy, linkExistingUsers: Number(row.link_existing_users) === 1 };
}

export const linkingColumns = (linking: ProviderLinking) => ({
  identity_settings_saved_by: linking.identitySettingsSavedBy,
  link_existing_users: linking.linkExistingUsers ? 1 : 0,
});

/** Drops a provider's identity links (inside the save's transaction): how many went. */
export async function dropIdentityLinks(trx: Db, providerId: string): Promise<number> {
  const dropped = await trx.deleteFrom("identity_links").where("provider_id", "=", providerId).executeTakeFirst();
  return Number(dropped.numDeletedRows);
}

/** The reads and the removal of one protocol's rows. */
export function protocolRows(db: Db, protocol: ProviderProtocolColumn) {
  const rows = () => db.selectFrom("providers").selectAll().where("protocol", "=", protocol);
  return {
    list: (orgId: string) => rows().where("org_id", "=", orgId).orderBy("name").execute(),
    everywhere: () => rows().orderBy("org_id").orderBy("name").execute(),
    async remove(orgId: string, name: string): Promise<boolean> {
      const result = await db
        .deleteFrom("providers")
        .where("org_id", "=", orgId)
        .where("name", "=", name)
        .where("protocol", "=", protocol)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
