const LOOPBACK_HOSTS = new Set(["127.0.0.1", "[::1]"]);

/**
 * Whether a URL may be used to reach a provider: https, or plain http on a loopback address
 * when the operator allowed it (demo and tests). Checked when settings are saved and again on
 * every outbound call.
 */
export function isPermittedProviderUrl(url: URL, allowInsecureLoopback: boolean): boolean {
  if (url.protocol === "https:") return true;
  return url.protocol === "http:" && allowInsecureLoopback && LOOPBACK_HOSTS.has(url.hostname);
}
