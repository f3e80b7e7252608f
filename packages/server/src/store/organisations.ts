import { randomBytes } from "node:crypto";
import { isoNow, newId } from "../domain/ids.ts";
import type { Organisation } from "../domain/organisation.ts";
import { AlreadyExistsError, type OrganisationRepository } from "../domain/ports/repositories.ts";
import { compiledOnce } from "./compiled.ts";
import { type Db, uniquely } from "./database.ts";

/** A new verified claim's row: the operator's word needs no record, but every claim has its token. */
export const verifiedClaimRow = (orgId: string, domain: string, at: string) => ({
  org_id: orgId,
  domain,
  status: "verified",
  txt_token: newTxtToken(),
  created_at: at,
  verified_at: at,
  last_checked_at: null,
});

/**
 * Organisations and their domains over SQL. Only verified claims are an organisation's domains
 * (and only one organisation holds a domain verified: a partial unique index); pending claims
 * are store/domain-claims.ts's.
 */
export function organisationRepository(db: Db): OrganisationRepository {
  // The sign-in's lookups, compiled once.
  const byId = compiledOnce((id: string) => db.selectFrom("organisations").selectAll().where("id", "=", id));
  const verified = () => db.selectFrom("organisation_domains").where("status", "=", "verified");
  const domainsOf = compiledOnce((orgId: string) => verified().select("domain").where("org_id", "=", orgId));
  const claimant = compiledOnce((domain: string) => verified().select("org_id").where("domain", "=", domain));

  async function withDomains(rows: { id: string; name: string; created_at: string }[]): Promise<Organisation[]> {
    if (rows.length === 0) return [];
    const domains = await verified()
      .selectAll()
      .where(
        "org_id",
        "in",
        rows.map((r) => r.id),
      )
      .execute();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      createdAt: r.created_at,
      domains: domains
        .filter((d) => d.org_id === r.id)
        .map((d) => d.domain)
        .sort(),
    }));
  }

  const repository: OrganisationRepository = {
    async create(name, domains) {
      const org = { id: newId(), name, created_at: isoNow() };
      const normalised = [...new Set(domains.map((d) => d.toLowerCase()))];
      await uniquely("a domain", () =>
        db.transaction().execute(async (trx) => {
          await trx.insertInto("organisations").values(org).execute();
          if (normalised.length > 0) {
            await trx
              .insertInto("organisation_domains")
              .values(normalised.map((domain) => verifiedClaimRow(org.id, domain, org.created_at)))
              .execute();
          }
        }),
      );
      return { id: org.id, name, domains: normalised.sort(), createdAt: org.created_at };
    },
    async get(id) {
      const [row] = (await db.executeQuery(byId(id))).rows;
      if (!row) return undefined;
      const domains = (await db.executeQuery(domainsOf(id))).rows.map((d) => d.domain).sort();
      return { id: row.id, name: row.name, createdAt: row.created_at, domains };
    },
    async list(limit = 1000) {
      const rows = await db.selectFrom("organisations").selectAll().orderBy("id").limit(limit).execute();
      return withDomains(rows);
    },
    async findByDomain(domain) {
      const [row] = (await db.executeQuery(claimant(domain.toLowerCase()))).rows;
      return row ? repository.get(row.org_id) : undefined;
    },
    async rename(id, name) {
      const result = await db.updateTable("organisations").set({ name }).where("id", "=", id).executeTakeFirst();
      return result.numUpdatedRows > 0n ? repository.get(id) : undefined;
    },
    async addDomain(id, domain) {
      const added = await uniquely("a domain", () =>
        db.transaction().execute(async (trx) => {
          const org = await trx.selectFrom("organisations").select("id").where("id", "=", id).executeTakeFirst();
          if (!org) return false;
          const normalised = domain.toLowerCase();
          const own = await trx
            .selectFrom("organisation_domains")
            .select("status")
            .where("org_id", "=", id)
            .where("domain", "=", normalised)
            .executeTakeFirst();
          if (own?.status === "verified") throw new AlreadyExistsError("the organisation claims the domain already");
          // The operator's word verifies the organisation's own pending claim, keeping its token.
          if (own) await markVerified(trx, id, normalised, isoNow());
          else
            await trx
              .insertInto("organisation_domains")
              .values(verifiedClaimRow(id, normalised, isoNow()))
              .execute();
          return true;
        }),
      );
      return added ? repository.get(id) : undefined;
    },
    async verifyDomain(id, domain, at) {
      const normalised = domain.toLowerCase();
      try {
        if ((await uniquely("a verified domain", () => markVerified(db, id, normalised, at))) > 0n) return "verified";
      } catch (error) {
        if (error instanceof AlreadyExistsError) return "taken";
        throw error;
      }
      const row = await db
        .selectFrom("organisation_domains")
        .select("status")
        .where("org_id", "=", id)
        .where("domain", "=", normalised)
        .executeTakeFirst();
      return row ? "verified" : "absent";
    },
    async removeDomain(id, domain) {
      const result = await db
        .deleteFrom("organisation_domains")
        .where("org_id", "=", id)
        .where("domain", "=", domain.toLowerCase())
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
    remove: (id) => removeOrganisation(db, id),
  };
  return repository;
}

/** Turns the organisation's pending claim verified (the partial unique index refuses a second verified claim); the rows changed. */
async function markVerified(db: Db, orgId: string, domain: string, at: string): Promise<bigint> {
  const result = await db
    .updateTable("organisation_domains")
    .set({ status: "verified", verified_at: at, last_checked_at: at })
    .where("org_id", "=", orgId)
    .where("domain", "=", domain)
    .where("status", "=", "pending")
    .executeTakeFirst();
  return result.numUpdatedRows;
}

/**
 * Deletes the organisation and everything that names it, in one transaction. Each table is
 * cleared by name rather than left to ON DELETE CASCADE: the refresh tokens, setup links,
 * console sessions and provider watch rows have no foreign key to the organisation. The audit
 * trail stays: it is the record of what happened, the deletion included.
 */
function removeOrganisation(db: Db, id: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const families = trx.selectFrom("refresh_token_families").select("id").where("org_id", "=", id);
    await trx.deleteFrom("refresh_tokens").where("family_id", "in", families).execute();
    await trx.deleteFrom("refresh_token_families").where("org_id", "=", id).execute();
    await trx.deleteFrom("console_sessions").where("org_id", "=", id).execute();
    await trx.deleteFrom("setup_links").where("org_id", "=", id).execute();
    await trx.deleteFrom("scim_tokens").where("org_id", "=", id).execute();
    const groups = trx.selectFrom("scim_groups").select("id").where("org_id", "=", id);
    await trx.deleteFrom("scim_group_members").where("group_id", "in", groups).execute();
    await trx.deleteFrom("scim_groups").where("org_id", "=", id).execute();
    await trx.deleteFrom("provider_snapshots").where("org_id", "=", id).execute();
    await trx.deleteFrom("provider_events").where("org_id", "=", id).execute();
    await trx.deleteFrom("identity_links").where("org_id", "=", id).execute();
    await trx.deleteFrom("organisation_auth_steps").where("org_id", "=", id).execute();
    await trx.deleteFrom("providers").where("org_id", "=", id).execute();
    await trx.deleteFrom("users").where("org_id", "=", id).execute();
    await trx.deleteFrom("organisation_domains").where("org_id", "=", id).execute();
    const result = await trx.deleteFrom("organisations").where("id", "=", id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  });
}

/** The random part of a claim's TXT record (192 bits; URL-safe, so it survives any DNS console). */
export const newTxtToken = () => randomBytes(24).toString("base64url");
