import { success } from "../domain/failures.ts";
import { isoNow, newId } from "../domain/ids.ts";
import type { SecretBox } from "../domain/ports/keys.ts";
import type { ProviderRepository } from "../domain/ports/repositories.ts";
import type { ProviderLinking } from "../domain/provider-linking.ts";
import type { ProviderSettings, ProviderView } from "../domain/provider-settings.ts";
import {
  decodeSecretBinding,
  encodeSecretBinding,
  describeSecretBinding,
  keptSecretRefusal,
  type SecretBinding,
  secretBindingOfSettings,
} from "../domain/secret-binding.ts";
import { compiledOnce } from "./compiled.ts";
import type { Db } from "./database.ts";
import { dropIdentityLinks, linkingColumns, linkingOf, nameTakenBy, protocolRows } from "./provider-rows.ts";
import type { ProvidersTable } from "./schema.ts";

/** The rows of this repository: SAML providers share the table (store/saml-providers.ts) and are never read here. */
const OAUTH = "oauth" as const;

/** A provider nobody said the operator vouches for. */
const UNTRUSTED: ProviderLinking = { identitySettingsSavedBy: "delegated", linkExistingUsers: false };

function toView(row: ProvidersTable): ProviderView {
  return {
    ...(JSON.parse(row.settings) as ProviderSettings),
    ...linkingOf(row),
    clientSecretSet: row.client_secret_sealed !== null,
    nextClientSecretSet: row.next_client_secret_sealed !== null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Where a row's secrets may be sent: as stored, or (a row an older version wrote) where its settings say. */
const bindingOf = (row: ProvidersTable): SecretBinding =>
  row.client_secret_binding !== null
    ? decodeSecretBinding(row.client_secret_binding)
    : secretBindingOfSettings(JSON.parse(row.settings) as ProviderSettings);

/** Providers with their client secrets sealed (bound to the provider's id). */
export function providerRepository(db: Db, secrets: SecretBox): ProviderRepository {
  const byName = compiledOnce((orgId: string, name: string) =>
    db.selectFrom("providers").selectAll().where("org_id", "=", orgId).where("name", "=", name).where("protocol", "=", OAUTH),
  );
  const find = async (orgId: string, name: string) => (await db.executeQuery(byName(orgId, name))).rows[0];
  const rows = protocolRows(db, OAUTH);

  return {
    async put(orgId, settings, clientSecret, replacement, nextClientSecret) {
      return db.transaction().execute(async (trx) => {
        const now = isoNow();
        const binding = encodeSecretBinding(replacement.secretBinding ?? secretBindingOfSettings(settings));
        const fresh: ProvidersTable = {
          id: newId(),
          org_id: orgId,
          name: settings.providerName,
          settings: JSON.stringify(settings),
          client_secret_sealed: null,
          next_client_secret_sealed: null,
          client_secret_binding: binding,
          ...linkingColumns(replacement.linking?.(undefined) ?? UNTRUSTED),
          created_at: now,
          updated_at: now,
        };
        fresh.client_secret_sealed = clientSecret !== undefined ? secrets.seal(clientSecret, fresh.id) : null;
        fresh.next_client_secret_sealed = nextClientSecret !== undefined ? secrets.seal(nextClientSecret, fresh.id) : null;
        // Insert-or-update on the (organisation, name) constraint: concurrent first PUTs of one
        // provider create one row, and the others replace it, instead of a duplicate-key 500.
        const inserted = await trx
          .insertInto("providers")
          .values(fresh)
          .onConflict((oc) => oc.columns(["org_id", "name"]).doNothing())
          .executeTakeFirst();
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1)
          return success({ view: toView(fresh), created: true, identityLinksDropped: 0 });

        const existing = await trx
          .selectFrom("providers")
          .selectAll()
          .where("org_id", "=", orgId)
          .where("name", "=", settings.providerName)
          .executeTakeFirstOrThrow();
        if (existing.protocol === "saml") return nameTakenBy("SAML", settings.providerName);
        // Checked again here, on the row being replaced: a concurrent write cannot carry a kept secret elsewhere.
        const kept = {
          clientSecretStored: existing.client_secret_sealed !== null,
          nextClientSecretStored: existing.next_client_secret_sealed !== null,
          clientSecret,
          nextClientSecret,
        };
        const stored = bindingOf(existing);
        const moved = encodeSecretBinding(stored) !== binding;
        const refusal = keptSecretRefusal(
          {
            ...(moved && { moved: `the token endpoint moves from ${describeSecretBinding(stored)} elsewhere` }),
            clientIdChanged: (JSON.parse(existing.settings) as ProviderSettings).clientId !== settings.clientId,
          },
          kept,
        );
        if (refusal) return refusal;
        const sealed = clientSecret !== undefined ? secrets.seal(clientSecret, existing.id) : existing.client_secret_sealed;
        const nextSealed =
          nextClientSecret !== undefined ? secrets.seal(nextClientSecret, existing.id) : existing.next_client_secret_sealed;
        const before = JSON.parse(existing.settings) as ProviderSettings;
        const row: ProvidersTable = {
          ...existing,
          settings: fresh.settings,
          client_secret_sealed: sealed,
          next_client_secret_sealed: nextSealed,
          client_secret_binding: binding,
          ...linkingColumns(replacement.linking?.({ settings: before, linking: linkingOf(existing) }) ?? linkingOf(existing)),
          updated_at: now,
        };
        // Decided inside the transaction, on the settings being replaced.
        let identityLinksDropped = 0;
        if (!replacement.identityLinksSurvive(before)) {
          identityLinksDropped = await dropIdentityLinks(trx, existing.id);
        }
        await trx
          .updateTable("providers")
          .set({
            settings: row.settings,
            client_secret_sealed: sealed,
            next_client_secret_sealed: nextSealed,
            client_secret_binding: binding,
            identity_settings_saved_by: row.identity_settings_saved_by,
            link_existing_users: row.link_existing_users,
            updated_at: now,
          })
          .where("id", "=", existing.id)
          .execute();
        return success({ view: toView(row), created: false, identityLinksDropped });
      });
    },
    async promoteSecret(orgId, name) {
      return db.transaction().execute(async (trx) => {
        const row = await trx
          .selectFrom("providers")
          .selectAll()
          .where("org_id", "=", orgId)
          .where("name", "=", name)
          .where("protocol", "=", OAUTH)
          .executeTakeFirst();
        if (!row) return undefined;
        if (row.next_client_secret_sealed === null) return "no-next-secret" as const;
        // Both are sealed bound to the provider's id: the sealed value moves as it is.
        const promoted: ProvidersTable = {
          ...row,
          client_secret_sealed: row.next_client_secret_sealed,
          next_client_secret_sealed: null,
          updated_at: isoNow(),
        };
        await trx
          .updateTable("providers")
          .set({ client_secret_sealed: promoted.client_secret_sealed, next_client_secret_sealed: null, updated_at: promoted.updated_at })
          .where("id", "=", row.id)
          .where("next_client_secret_sealed", "=", row.next_client_secret_sealed)
          .execute();
        return toView(promoted);
      });
    },
    async view(orgId, name) {
      const row = await find(orgId, name);
      return row ? toView(row) : undefined;
    },
    async list(orgId) {
      return (await rows.list(orgId)).map(toView);
    },
    async listEverywhere() {
      return (await rows.everywhere()).map((row) => ({ orgId: row.org_id, provider: toView(row) }));
    },
    remove: rows.remove,
    async configured(orgId, name) {
      const row = await find(orgId, name);
      if (!row) return undefined;
      return {
        id: row.id,
        orgId: row.org_id,
        settings: JSON.parse(row.settings) as ProviderSettings,
        linking: linkingOf(row),
        clientSecret: row.client_secret_sealed === null ? undefined : secrets.open(row.client_secret_sealed, row.id),
        ...(row.next_client_secret_sealed !== null && { nextClientSecret: secrets.open(row.next_client_secret_sealed, row.id) }),
        secretBinding: bindingOf(row),
      };
    },
  };
}
