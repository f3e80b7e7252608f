import { sql } from "kysely";
import type { DomainClaim, DomainStatus } from "../domain/domain-claim.ts";
import { isoNow } from "../domain/ids.ts";
import { AlreadyExistsError } from "../domain/ports/repositories.ts";
import type { DomainClaimRepository } from "../domain/ports/domain-claims.ts";
import { type Db, uniquely } from "./database.ts";
import { newTxtToken } from "./organisations.ts";
import type { OrganisationDomainsTable } from "./schema.ts";

const claimOf = (row: OrganisationDomainsTable): DomainClaim => ({
  domain: row.domain,
  status: row.status as DomainStatus,
  txtToken: row.txt_token,
  verifiedAt: row.verified_at,
  lastCheckedAt: row.last_checked_at,
});

/** Organisations' domain claims over SQL, both states (the organisation repository verifies them). */
export function domainClaimRepository(db: Db): DomainClaimRepository {
  const rowOf = (orgId: string, domain: string) =>
    db.selectFrom("organisation_domains").selectAll().where("org_id", "=", orgId).where("domain", "=", domain.toLowerCase());
  return {
    async list(orgId) {
      const rows = await db.selectFrom("organisation_domains").selectAll().where("org_id", "=", orgId).orderBy("domain").execute();
      return rows.map(claimOf);
    },
    async get(orgId, domain) {
      const row = await rowOf(orgId, domain).executeTakeFirst();
      return row && claimOf(row);
    },
    async addPending(orgId, domain) {
      const normalised = domain.toLowerCase();
      const row = { org_id: orgId, domain: normalised, status: "pending", txt_token: newTxtToken(), created_at: isoNow() };
      const added = await uniquely("a claim of the domain", () =>
        db.transaction().execute(async (trx) => {
          const org = await trx.selectFrom("organisations").select("id").where("id", "=", orgId).executeTakeFirst();
          if (!org) return false;
          const held = await trx
            .selectFrom("organisation_domains")
            .select("org_id")
            .where("domain", "=", normalised)
            .where("status", "=", "verified")
            .executeTakeFirst();
          // A claim of a domain another organisation has proven could never be verified: refused now.
          if (held) throw new AlreadyExistsError("the domain is verified by an organisation");
          await trx
            .insertInto("organisation_domains")
            .values({ ...row, verified_at: null, last_checked_at: null })
            .execute();
          return true;
        }),
      );
      return added ? claimOf({ ...row, verified_at: null, last_checked_at: null }) : undefined;
    },
    async checked(orgId, domain, at) {
      await db
        .updateTable("organisation_domains")
        .set({ last_checked_at: at })
        .where("org_id", "=", orgId)
        .where("domain", "=", domain.toLowerCase())
        .execute();
    },
    async pendingClaims(limit) {
      const rows = await db
        .selectFrom("organisation_domains as claim")
        .selectAll("claim")
        .where("claim.status", "=", "pending")
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom("organisation_domains as held")
                .select("held.org_id")
                .whereRef("held.domain", "=", "claim.domain")
                .where("held.status", "=", "verified"),
            ),
          ),
        )
        // Never-checked claims first, then the longest unchecked.
        .orderBy(sql`coalesce(claim.last_checked_at, '')`)
        .limit(limit)
        .execute();
      return rows.map((row) => ({ orgId: row.org_id, claim: claimOf(row) }));
    },
  };
}
