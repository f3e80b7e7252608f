import type { OutboundFetch } from "./outbound.ts";

/** Told how long each call to a provider took, by provider and endpoint (discovery, jwks, token, userinfo). */
export type ProviderCallObserver = (provider: string, endpoint: string, seconds: number) => void;

/** `outbound`, reporting each call's duration to `observe` under the provider's name and the endpoint. */
export function timedFetch(
  outbound: OutboundFetch,
  observe: ProviderCallObserver | undefined,
  provider: string,
  endpoint: string,
): OutboundFetch {
  if (!observe) return outbound;
  return async (url, init) => {
    const started = performance.now();
    try {
      return await outbound(url, init);
    } finally {
      observe(provider, endpoint, (performance.now() - started) / 1000);
    }
  };
}
