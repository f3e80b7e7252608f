import { isoNow, newId } from "../domain/ids.ts";
import type { Organisation } from "../domain/organisation.ts";
import type { OrganisationRepository } from "../domain/ports/repositories.ts";
import { compiledOnce } from "./compiled.ts";
import { type Db, uniquely } from "./database.ts";

/** Organisations and their domains over SQL; a domain belongs to one organisation (unique). */
export function organisationRepository(db: Db): OrganisationRepository {
  // The sign-in's lookups, compiled once.
  const byId = compiledOnce((id: string) => db.selectFrom("organisations").selectAll().where("id", "=", id));
  const domainsOf = compiledOnce((orgId: string) => db.selectFrom("organisation_domains").select("domain").where("org_id", "=", orgId));
  const claimant = compiledOnce((domain: string) => db.selectFrom("organisation_domains").select("org_id").where("domain", "=", domain));

  async function withDomains(rows: { id: string; name: string; created_at: string }[]): Promise<Organisation[]> {
    if (rows.length === 0) return [];
    const domains = await db
      .selectFrom("organisation_domains")
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
              .values(normalised.map((domain) => ({ domain, org_id: org.id })))
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
  };
  return repository;
}
