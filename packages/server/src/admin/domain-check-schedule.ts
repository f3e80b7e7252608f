import { type Clock, systemClock, type TimerHandle } from "../domain/ports/clock.ts";
import { type DomainClaimDeps, recheckPendingDomains } from "./domain-claims.ts";

/** Where the re-check reports: the service's logger. */
export interface DomainCheckLog {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/**
 * Re-checks pending domain claims every `intervalSeconds` (DOMAIN_CHECK_INTERVAL_SECONDS; 0 is
 * off), the first round one interval after start. Each instance runs its own rounds: a check is
 * a read of public DNS and verifying twice is verifying once, so no coordination is needed.
 */
export function startDomainChecks(options: {
  readonly intervalSeconds: number;
  readonly deps: DomainClaimDeps;
  readonly log: DomainCheckLog;
  readonly clock?: Clock;
}): { stop(): Promise<void> } | undefined {
  if (options.intervalSeconds <= 0) return undefined;
  const clock = options.clock ?? systemClock;
  const intervalMs = options.intervalSeconds * 1000;
  let running: Promise<void> | undefined;
  let timer: TimerHandle | undefined;
  const tick = () => {
    timer = clock.setTimeout(tick, intervalMs);
    if (running) return;
    running = recheckPendingDomains(options.deps, new Date(clock.now()))
      .then(
        (round) => {
          if (round.verified > 0) options.log.info(round, "pending domains verified");
        },
        (error: unknown) => options.log.error({ cause: error instanceof Error ? error.message : String(error) }, "domain re-check failed"),
      )
      .finally(() => {
        running = undefined;
      });
  };
  timer = clock.setTimeout(tick, intervalMs);
  return {
    async stop() {
      if (timer) clock.clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
