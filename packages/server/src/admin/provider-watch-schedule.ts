import { createHmac } from "node:crypto";
import { type Clock, systemClock, type TimerHandle } from "../domain/ports/clock.ts";
import type { ShortLivedState } from "../domain/ports/short-lived-state.ts";
import type { ProviderEvent } from "../domain/provider-watch.ts";
import { type ProviderWatchDeps, type WatchRound, watchProvidersOnce } from "./provider-watch.ts";
import { type SamlWatchDeps, watchSamlProvidersOnce } from "./saml-provider-watch.ts";

export interface ProviderWatchSchedule {
  readonly intervalMs: number;
  /** Shared state decides which instance runs a round when several share it. */
  readonly state: Pick<ShortLivedState, "increment">;
  readonly round: () => Promise<WatchRound>;
  readonly onRound: (outcome: WatchRound | Error) => void;
  /** What the slots are read by and the ticks wait on (default the system clock). */
  readonly clock?: Clock;
}

/**
 * Runs the provider watch every `intervalMs`, the first round one interval after start (baselines
 * persist, so a restart does not re-read every provider at once). Time is cut into slots of
 * one interval; with several instances on one Redis, the first to count a slot runs its round and
 * the others skip it, so a stopped instance's turn simply passes to whichever ticks next.
 */
export function scheduleProviderWatch(schedule: ProviderWatchSchedule): { stop(): Promise<void> } {
  const clock = schedule.clock ?? systemClock;
  let running: Promise<void> | undefined;
  let timer: TimerHandle | undefined;
  const tick = () => {
    timer = clock.setTimeout(tick, schedule.intervalMs);
    if (running) return;
    running = (async () => {
      try {
        const slot = `provider-watch:${Math.floor(clock.now() / schedule.intervalMs)}`;
        if ((await schedule.state.increment(slot, 2 * schedule.intervalMs)) !== 1) return;
        schedule.onRound(await schedule.round());
      } catch (error) {
        schedule.onRound(error instanceof Error ? error : new Error(String(error)));
      } finally {
        running = undefined;
      }
    })();
  };
  timer = clock.setTimeout(tick, schedule.intervalMs);
  return {
    async stop() {
      if (timer) clock.clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}

/** The header a webhook receiver checks: `sha256=` and the HMAC-SHA256 of `<timestamp>.<body>` under the shared secret. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/**
 * Posts a provider event to the operator's webhook, signed when a secret is set. The URL is the
 * operator's own setting (not a provider's), so it is called directly; a failure is reported, not retried.
 */
export async function postProviderEvent(webhook: { url: string; secret: string | undefined }, event: ProviderEvent): Promise<void> {
  const body = JSON.stringify(event);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const headers: Record<string, string> = { "content-type": "application/json", "x-pipeshub-timestamp": timestamp };
  if (webhook.secret) headers["x-pipeshub-signature"] = webhookSignature(webhook.secret, timestamp, body);
  const response = await fetch(webhook.url, { method: "POST", headers, body, signal: AbortSignal.timeout(10_000), redirect: "manual" });
  await response.body?.cancel();
  if (!response.ok) throw new Error(`the provider-change webhook answered ${response.status}`);
}

/** Where the running watch reports: the service's logger. */
export interface ProviderWatchLog {
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
  debug(fields: object, message: string): void;
}

/**
 * The provider watch of a running service (PROVIDER_WATCH_INTERVAL_SECONDS; 0 is off): rounds on
 * the schedule above; each change is counted (`onChange`), logged and posted to the webhook
 * (PROVIDER_WATCH_WEBHOOK_URL) when there is one; rounds are logged.
 */
export function startProviderWatch(options: {
  readonly intervalSeconds: number;
  readonly webhook: { url: string; secret: string | undefined } | undefined;
  readonly state: Pick<ShortLivedState, "increment">;
  readonly watch: Omit<ProviderWatchDeps, "onChange">;
  /** SAML providers: their metadata re-read, rollovers taken, certificate expiry recorded (admin/saml-provider-watch.ts). */
  readonly samlWatch?: Omit<SamlWatchDeps, "onChange">;
  readonly onChange: (event: ProviderEvent) => void;
  readonly log: ProviderWatchLog;
  readonly clock?: Clock;
}): { stop(): Promise<void> } | undefined {
  if (options.intervalSeconds <= 0) return undefined;
  const { log, webhook } = options;
  return scheduleProviderWatch({
    intervalMs: options.intervalSeconds * 1000,
    state: options.state,
    ...(options.clock && { clock: options.clock }),
    round: async () => {
      const onChange = async (event: ProviderEvent) => {
        options.onChange(event);
        log.warn({ orgId: event.orgId, provider: event.provider, changes: event.changes }, "a provider changed");
        if (webhook) await postProviderEvent(webhook, event).catch((e: Error) => log.warn({ cause: e.message }, "webhook failed"));
      };
      const oauth = await watchProvidersOnce({ ...options.watch, onChange });
      if (!options.samlWatch) return oauth;
      const saml = await watchSamlProvidersOnce({ ...options.samlWatch, onChange });
      return {
        checked: oauth.checked + saml.checked,
        changed: oauth.changed + saml.changed,
        unreadable: [...oauth.unreadable, ...saml.unreadable],
      };
    },
    onRound: (outcome) =>
      outcome instanceof Error
        ? log.error({ cause: outcome.message }, "provider watch round failed")
        : log.debug(outcome, "provider watch round"),
  });
}
