import type { ConfiguredProvider } from "../domain/provider-settings.ts";
import { discoversMetadata, explicitMetadata } from "../domain/provider-urls.ts";
import type { OutboundFetch } from "../oauth/outbound.ts";
import { discoveryUrl, type ProbeAnswer, probe } from "../oauth/provider-probe.ts";
import { worded } from "../domain/fix-wording.ts";
import { type DoctorFinding, fail, pass, type ProviderMetadata, settingsHere, unreached } from "./doctor-types.ts";

/** What reading the provider's metadata found, and the metadata when there is any to go on. */
export interface MetadataReading {
  readonly metadata: ProviderMetadata | undefined;
  readonly findings: DoctorFinding[];
  readonly answers: ProbeAnswer[];
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const stringOf = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const stringsOf = (value: unknown): string[] | undefined =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : undefined;

/**
 * The provider's metadata as sign-in uses it: discovered when it is configured by issuer alone
 * (the `discovery` and `issuer` checks), otherwise its explicit endpoints (nothing to check here).
 * Explicit userinfo and JWKS endpoints override discovered ones, as in oauth/discovery.ts.
 */
export async function readProviderMetadata(outbound: OutboundFetch, provider: ConfiguredProvider): Promise<MetadataReading> {
  const s = provider.settings;
  if (!discoversMetadata(s)) return { metadata: { ...explicitMetadata(s), discovered: false }, findings: [], answers: [] };
  const url = discoveryUrl(s.issuer);
  const issuerFix = worded`${settingsHere(provider, "issuer")} to the provider's issuer URL, exactly as its discovery document spells it`;
  const probed = await probe(outbound, url, { headers: { accept: "application/json" } });
  if (!probed.reached) {
    return {
      metadata: undefined,
      answers: [],
      findings: [
        unreached(
          "discovery",
          `The discovery document at ${url} could not be fetched`,
          probed,
          worded`${issuerFix}; or at the provider: make it reachable from this service.`,
        ),
      ],
    };
  }
  const { answer } = probed;
  const document = answer.json;
  if (answer.status !== 200 || !isRecord(document)) {
    const what = answer.status !== 200 ? `answered ${answer.status}` : "is not a JSON object";
    return {
      metadata: undefined,
      answers: [answer],
      findings: [
        fail(
          "discovery",
          `The discovery document at ${url} ${what}; the other checks need it.`,
          worded`${issuerFix} (the service reads <issuer>/.well-known/openid-configuration).`,
        ),
      ],
    };
  }
  const findings = [pass("discovery", `The discovery document at ${url} was read.`)];
  const announced = stringOf(document.issuer);
  if (announced === s.issuer) findings.push(pass("issuer", `The discovery document names the configured issuer ${s.issuer}.`));
  else
    findings.push(
      fail(
        "issuer",
        `The discovery document names the issuer ${announced === undefined ? "(none)" : JSON.stringify(announced)}, not the configured ${s.issuer}: sign-in refuses the provider's metadata and ID tokens.`,
        announced === undefined
          ? "At the provider: its discovery document must name its issuer."
          : worded`${settingsHere(provider, "issuer")} to ${announced} (exactly, with or without the trailing slash as announced) — or, if that is not this provider, correct the URL.`,
      ),
    );
  const metadata: ProviderMetadata = {
    issuer: announced ?? s.issuer,
    discovered: true,
    ...optional("authorization_endpoint", stringOf(document.authorization_endpoint)),
    ...optional("token_endpoint", stringOf(document.token_endpoint)),
    ...optional("userinfo_endpoint", s.userInfoEndpoint ?? stringOf(document.userinfo_endpoint)),
    ...optional("jwks_uri", s.jwksUri ?? stringOf(document.jwks_uri)),
    ...optional("scopes_supported", stringsOf(document.scopes_supported)),
    ...optional("code_challenge_methods_supported", stringsOf(document.code_challenge_methods_supported)),
    ...optional("id_token_signing_alg_values_supported", stringsOf(document.id_token_signing_alg_values_supported)),
  };
  return { metadata, findings, answers: [answer] };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
