import { createHmac } from "node:crypto";
import type { UserEvent } from "../domain/user.ts";

/** Where events go (EVENTS_WEBHOOK_URL) and the secret that signs them (EVENTS_WEBHOOK_SECRET). */
export interface EventsWebhook {
  readonly url: string;
  readonly secret: string | undefined;
}

/** The header a webhook receiver checks: `sha256=` and the HMAC-SHA256 of `<timestamp>.<body>` under the shared secret. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/**
 * Posts one event (`provider.changed`, `user.disabled`, `user.deleted`) to the operator's webhook
 * as JSON, signed when a secret is set. The URL is the operator's own setting (not a provider's),
 * so it is called directly; a failure is reported, not retried.
 */
export async function postEvent(webhook: EventsWebhook, event: object): Promise<void> {
  const body = JSON.stringify(event);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const headers: Record<string, string> = { "content-type": "application/json", "x-pipeshub-timestamp": timestamp };
  if (webhook.secret) headers["x-pipeshub-signature"] = webhookSignature(webhook.secret, timestamp, body);
  const response = await fetch(webhook.url, { method: "POST", headers, body, signal: AbortSignal.timeout(10_000), redirect: "manual" });
  await response.body?.cancel();
  if (!response.ok) throw new Error(`the events webhook answered ${response.status}`);
}

/**
 * What tells the webhook a user was disabled or deleted: posted in the background (the write that
 * caused it has already answered), a failure logged. Resource servers that only check the JWKS
 * learn of the user at once this way, or by introspecting the token.
 */
export function userEventsWebhook(
  webhook: EventsWebhook | undefined,
  log: { warn(fields: object, message: string): void },
): ((event: UserEvent) => void) | undefined {
  if (!webhook) return undefined;
  return (event) => {
    postEvent(webhook, event).catch((e: Error) => log.warn({ cause: e.message, event: event.type }, "events webhook failed"));
  };
}
