import type { OutboundCall, OutboundFetch } from "./outbound.ts";

/** Told how long each call to a provider took, by provider and endpoint (discovery, jwks, token, userinfo). */
export type ProviderCallObserver = (provider: string, endpoint: string, seconds: number) => void;

/** A guarded call (a fetch, or the bytes-answering call under it), each call's duration reported to `observe` under the provider's name and the endpoint. */
export function timedCall<C extends OutboundFetch | OutboundCall>(
  outbound: C,
  observe: ProviderCallObserver | undefined,
  provider: string,
  endpoint: string,
): C {
  if (!observe) return outbound;
  return (async (url: string | URL, init?: Parameters<C>[1]) => {
    const started = performance.now();
    try {
      return await outbound(url, init);
    } finally {
      observe(provider, endpoint, (performance.now() - started) / 1000);
    }
  }) as C;
}
