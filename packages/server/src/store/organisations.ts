import type { Organisation } from "../signin/model.ts";
import type { Db } from "./database.ts";
import { isoNow, newId } from "./ids.ts";

export function organisationRepository(db: Db) {
  async function withDomains(rows: { id: string; name: string; created_at: string }[]): Promise<Organisation[]> {
    if (rows.length === 0) return [];
    const domains = await db.selectFrom("organisation_domains").selectAll().where("org_id", "in", rows.map((r) => r.id)).execute();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      createdAt: r.created_at,
      domains: domains.filter((d) => d.org_id === r.id).map((d) => d.domain).sort(),
    }));
  }

  return {
    /** Creates an organisation; throws a unique violation when a domain is already claimed. */
    async create(name: string, domains: readonly string[]): Promise<Organisation> {
      const org = { id: newId(), name, created_at: isoNow() };
      const normalised = [...new Set(domains.map((d) => d.toLowerCase()))];
      await db.transaction().execute(async (trx) => {
        await trx.insertInto("organisations").values(org).execute();
        if (normalised.length > 0) {
          await trx.insertInto("organisation_domains").values(normalised.map((domain) => ({ domain, org_id: org.id }))).execute();
        }
      });
      return { id: org.id, name, domains: normalised.sort(), createdAt: org.created_at };
    },
    async get(id: string): Promise<Organisation | undefined> {
      const rows = await db.selectFrom("organisations").selectAll().where("id", "=", id).execute();
      return (await withDomains(rows))[0];
    },
    async list(limit = 1000): Promise<Organisation[]> {
      const rows = await db.selectFrom("organisations").selectAll().orderBy("id").limit(limit).execute();
      return withDomains(rows);
    },
    async findByDomain(domain: string): Promise<Organisation | undefined> {
      const row = await db.selectFrom("organisation_domains").select("org_id").where("domain", "=", domain.toLowerCase()).executeTakeFirst();
      return row ? this.get(row.org_id) : undefined;
    },
  };
}

export type OrganisationRepository = ReturnType<typeof organisationRepository>;
