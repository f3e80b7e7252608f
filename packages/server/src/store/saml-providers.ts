import { success } from "../domain/failures.ts";
import { isoNow, newId } from "../domain/ids.ts";
import type { SecretBox } from "../domain/ports/keys.ts";
import type { SamlProviderRepository } from "../domain/ports/saml-providers.ts";
import { certificateView } from "../domain/saml-certificates.ts";
import {
  type ConfiguredSamlProvider,
  type SamlProviderSettings,
  type SamlProviderView,
  serviceProviderEndpoints,
} from "../domain/saml-provider.ts";
import { compiledOnce } from "./compiled.ts";
import type { Db } from "./database.ts";
import { dropIdentityLinks, linkingColumns, linkingOf, nameTakenBy, protocolRows } from "./provider-rows.ts";
import type { ProvidersTable } from "./schema.ts";

const SAML = "saml" as const;

const settingsOf = (row: ProvidersTable) => JSON.parse(row.settings) as SamlProviderSettings;

/**
 * SAML providers: rows of the providers table with `protocol = 'saml'` (store/providers.ts reads
 * only the others), so names stay unique across both kinds and identity links, cascades and the
 * audit trail work alike. The SP private key is sealed bound to the provider's id, as client
 * secrets are; `publicUrl` makes the SP endpoints the views and the sign-in use.
 */
export function samlProviderRepository(db: Db, secrets: SecretBox, publicUrl: string): SamlProviderRepository {
  const byName = compiledOnce((orgId: string, name: string) =>
    db.selectFrom("providers").selectAll().where("org_id", "=", orgId).where("name", "=", name),
  );
  const find = async (orgId: string, name: string) => (await db.executeQuery(byName(orgId, name))).rows[0];
  const rows = protocolRows(db, SAML);
  const toView = (row: ProvidersTable): SamlProviderView => {
    const { idpCertificates, ...settings } = settingsOf(row);
    return {
      ...settings,
      type: "saml",
      idpCertificates: idpCertificates.map(certificateView),
      ...serviceProviderEndpoints(publicUrl, row.org_id, row.name),
      ...linkingOf(row),
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  };

  return {
    async put(orgId, settings, replacement) {
      return db.transaction().execute(async (trx) => {
        const now = isoNow();
        const named = () =>
          trx.selectFrom("providers").selectAll().where("org_id", "=", orgId).where("name", "=", settings.providerName).executeTakeFirst();
        if ((await named()) === undefined) {
          const id = newId();
          const key = settings.signAuthnRequests ? replacement.spKey?.() : undefined;
          const fresh: ProvidersTable = {
            id,
            org_id: orgId,
            name: settings.providerName,
            settings: JSON.stringify(settings),
            client_secret_sealed: null,
            next_client_secret_sealed: null,
            client_secret_binding: null,
            ...linkingColumns(replacement.linking(undefined)),
            created_at: now,
            updated_at: now,
            protocol: SAML,
            sp_certificate: key?.certificatePem ?? null,
            sp_private_key_sealed: key ? secrets.seal(key.privateKeyPem, id) : null,
          };
          // Insert-or-update on the (organisation, name) constraint, as OAuth providers are saved:
          // a concurrent first save of the name makes this one a replace.
          const inserted = await trx
            .insertInto("providers")
            .values(fresh)
            .onConflict((oc) => oc.columns(["org_id", "name"]).doNothing())
            .executeTakeFirst();
          if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1)
            return success({ view: toView(fresh), created: true, identityLinksDropped: 0 });
        }
        const existing = await named();
        if (!existing) throw new Error("a provider inserted concurrently is gone");
        if (existing.protocol !== SAML) return nameTakenBy("OAuth", settings.providerName);
        const before = settingsOf(existing);
        // A stored key is kept (the IdP holds its certificate); one is made only when first needed.
        const newKey = existing.sp_private_key_sealed === null && settings.signAuthnRequests ? replacement.spKey?.() : undefined;
        const row: ProvidersTable = {
          ...existing,
          settings: JSON.stringify(settings),
          ...linkingColumns(replacement.linking({ settings: before, linking: linkingOf(existing) })),
          ...(newKey && {
            sp_certificate: newKey.certificatePem,
            sp_private_key_sealed: secrets.seal(newKey.privateKeyPem, existing.id),
          }),
          updated_at: now,
        };
        let identityLinksDropped = 0;
        if (!replacement.identityLinksSurvive(before)) {
          identityLinksDropped = await dropIdentityLinks(trx, existing.id);
        }
        await trx
          .updateTable("providers")
          .set({
            settings: row.settings,
            identity_settings_saved_by: row.identity_settings_saved_by,
            link_existing_users: row.link_existing_users,
            sp_certificate: row.sp_certificate ?? null,
            sp_private_key_sealed: row.sp_private_key_sealed ?? null,
            updated_at: now,
          })
          .where("id", "=", existing.id)
          .execute();
        return success({ view: toView(row), created: false, identityLinksDropped });
      });
    },
    async view(orgId, name) {
      const row = await find(orgId, name);
      return row?.protocol === SAML ? toView(row) : undefined;
    },
    async list(orgId) {
      return (await rows.list(orgId)).map(toView);
    },
    async listEverywhere() {
      return (await rows.everywhere()).map((row) => ({ orgId: row.org_id, provider: toView(row) }));
    },
    remove: rows.remove,
    async configured(orgId, name): Promise<ConfiguredSamlProvider | undefined> {
      const row = await find(orgId, name);
      if (row?.protocol !== SAML) return undefined;
      const spKey =
        row.sp_private_key_sealed && row.sp_certificate
          ? { privateKeyPem: secrets.open(row.sp_private_key_sealed, row.id), certificatePem: row.sp_certificate }
          : undefined;
      return {
        id: row.id,
        orgId: row.org_id,
        settings: settingsOf(row),
        sp: serviceProviderEndpoints(publicUrl, row.org_id, row.name),
        ...(spKey && { spKey }),
        linking: linkingOf(row),
      };
    },
    async protocolOf(orgId, name) {
      const row = await find(orgId, name);
      if (!row) return undefined;
      return row.protocol === SAML ? "saml" : "oauth";
    },
    async updateIdp(orgId, name, expected, after) {
      const result = await db
        .updateTable("providers")
        .set({ settings: JSON.stringify(after), updated_at: isoNow() })
        .where("org_id", "=", orgId)
        .where("name", "=", name)
        .where("protocol", "=", SAML)
        .where("settings", "=", JSON.stringify(expected))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
  };
}
