import type { AuthStep } from "../domain/auth-steps.ts";
import { isoNow } from "../domain/ids.ts";
import type { AuthStepRepository } from "../domain/ports/repositories.ts";
import type { Db } from "./database.ts";

/** Each organisation's sign-in steps, as JSON. */
export function authStepRepository(db: Db): AuthStepRepository {
  return {
    async get(orgId) {
      const row = await db.selectFrom("organisation_auth_steps").select("steps").where("org_id", "=", orgId).executeTakeFirst();
      return row ? (JSON.parse(row.steps) as AuthStep[]) : undefined;
    },
    async put(orgId, steps) {
      const values = { org_id: orgId, steps: JSON.stringify(steps), updated_at: isoNow() };
      await db
        .insertInto("organisation_auth_steps")
        .values(values)
        .onConflict((oc) => oc.column("org_id").doUpdateSet({ steps: values.steps, updated_at: values.updated_at }))
        .execute();
    },
  };
}
