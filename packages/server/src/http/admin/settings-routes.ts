import type { FastifyPluginAsync } from "fastify";
import { type Static, Type } from "typebox";
import { ADMIN_SECURITY as security } from "./schemas.ts";

/** A secret setting: only whether it is set, never its value. */
const SecretSetting = Type.Object({ set: Type.Boolean() }, { additionalProperties: false });

/** One setting's effective value: as typed (a list as an array), null when unset, a secret as `{set}`. */
export const SettingValueSchema = Type.Union([
  Type.String(),
  Type.Number(),
  Type.Boolean(),
  Type.Array(Type.String()),
  Type.Null(),
  SecretSetting,
]);

/** Every setting of the service by its environment variable's name. */
export const EffectiveSettingsSchema = Type.Record(Type.String(), SettingValueSchema, {
  description:
    "Every setting by its environment variable, with the value in effect (defaults included). ADMIN_TOKEN, ENCRYPTION_KEY, METRICS_TOKEN and EVENTS_WEBHOOK_SECRET (also under its former name PROVIDER_WATCH_WEBHOOK_SECRET) are only {set: true|false}; the password (and secret-looking query values) of DATABASE_URL, REDIS_URL and EVENTS_WEBHOOK_URL (and PROVIDER_WATCH_WEBHOOK_URL) are replaced by ***.",
});
export type EffectiveSettings = Static<typeof EffectiveSettingsSchema>;

/** `/api/v1/settings`: the service's effective settings, never a secret (the operator's alone). */
export function settingsRoutes(settings: EffectiveSettings): FastifyPluginAsync {
  return async (app) => {
    app.get(
      "/api/v1/settings",
      {
        schema: {
          tags: ["Admin"],
          security,
          summary: "Show the service's effective settings",
          response: { 200: EffectiveSettingsSchema },
        },
      },
      async () => settings,
    );
  };
}
