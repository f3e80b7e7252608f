import { type AuthStep, DEFAULT_AUTH_STEPS } from "../signin/auth-steps.ts";
import type { Db } from "./database.ts";
import { isoNow } from "./ids.ts";

export function authStepRepository(db: Db) {
  return {
    /** The organisation's steps, or the default single OAuth step. */
    async get(orgId: string): Promise<readonly AuthStep[]> {
      const row = await db.selectFrom("organisation_auth_steps").select("steps").where("org_id", "=", orgId).executeTakeFirst();
      return row ? (JSON.parse(row.steps) as AuthStep[]) : DEFAULT_AUTH_STEPS;
    },
    async put(orgId: string, steps: readonly AuthStep[]): Promise<void> {
      const values = { org_id: orgId, steps: JSON.stringify(steps), updated_at: isoNow() };
      await db
        .insertInto("organisation_auth_steps")
        .values(values)
        .onConflict((oc) => oc.column("org_id").doUpdateSet({ steps: values.steps, updated_at: values.updated_at }))
        .execute();
    },
  };
}

export type AuthStepRepository = ReturnType<typeof authStepRepository>;
