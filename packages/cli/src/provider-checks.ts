// `providers test` and `providers doctor`: ask the service to check a provider now, and say what to fix.
import type { Command, CommandContext } from "./command.ts";
import { CliError, EXIT } from "./errors.ts";
import { details, oneLine, progress, table } from "./output.ts";
import { APIError, type DoctorFinding, type ProviderCheck } from "pipeshub";

/** Failures that are the provider's, not the service's or the command's: exit 4. */
function isProviderFailure(error: string): boolean {
  return error.startsWith("PROVIDER_") || error === "INVALID_ID_TOKEN" || error === "INVALID_GRANT";
}

async function testProvider(ctx: CommandContext, orgId: string, name: string) {
  const { admin, out } = ctx;
  const view = await admin.getProvider(orgId, name);
  const what = view.issuer
    ? `checking discovery at ${view.issuer.replace(/\/$/, "")}/.well-known/openid-configuration`
    : `checking provider "${name}" (token endpoint ${view.tokenEndpoint ?? "?"})`;
  const spinner = progress(out.stderr, what);
  let result: ProviderCheck;
  try {
    result = await admin.testProvider(orgId, name);
  } catch (error) {
    spinner.stop();
    if (error instanceof APIError && error.error !== undefined && isProviderFailure(error.error)) {
      if (out.json) out.data({ ok: false, error: error.error, message: error.serviceMessage ?? error.message });
      throw new CliError(EXIT.PROVIDER_CHECK_FAILED, `provider check failed: ${error.error}: ${error.serviceMessage ?? error.message}`);
    }
    throw error;
  }
  spinner.stop();
  if (out.json) return out.data(result);
  out.note(`provider "${name}" answered`);
  out.line(
    details([
      ["issuer", result.issuer],
      ["authorization endpoint", result.authorizationEndpoint],
      ["token endpoint", result.tokenEndpoint],
    ]),
  );
}

export const test: Command = {
  group: "providers",
  name: "test",
  args: ["orgId", "name"],
  synopsis: "",
  summary: "check now that the provider's discovery document and keys can be fetched",
  help: `Asks the service to fetch the provider's discovery document and signing keys, and reports
what fails. Exits 4 with the provider's reason when the check fails.`,
  options: {},
  run: (ctx, { args }) => testProvider(ctx, args[0]!, args[1]!),
};

const doctorProvider = (ctx: CommandContext, orgId: string, name: string) =>
  printDoctor(ctx, name, () => ctx.admin.doctorProvider(orgId, name));

/** Runs a doctor (`examine`), prints its findings and what to change; exits 4 when a check fails. SAML providers' doctor prints the same. */
export async function printDoctor(ctx: CommandContext, name: string, examine: () => Promise<{ findings: DoctorFinding[] }>) {
  const { out } = ctx;
  const spinner = progress(out.stderr, `examining provider "${name}"`);
  let findings: DoctorFinding[];
  try {
    ({ findings } = await examine());
  } finally {
    spinner.stop();
  }
  const failed = findings.filter((f) => f.status === "fail");
  if (out.json) out.data({ findings });
  else {
    out.line(
      table(findings, [
        { header: "CHECK", value: (f) => f.check },
        { header: "STATUS", value: (f) => f.status },
        { header: "FINDING", value: (f) => f.message },
      ]),
    );
    const fixes = findings.filter((f) => f.fix);
    if (fixes.length > 0) out.line(["", "What to change:", ...fixes.map((f) => `  ${f.check}: ${oneLine(f.fix!)}`)].join("\n"));
  }
  if (failed.length > 0)
    throw new CliError(
      EXIT.PROVIDER_CHECK_FAILED,
      `provider "${name}" failed ${failed.length} check${failed.length === 1 ? "" : "s"}: ${failed.map((f) => f.check).join(", ")}`,
    );
}

export const doctor: Command = {
  group: "providers",
  name: "doctor",
  args: ["orgId", "name"],
  synopsis: "",
  summary: "examine a provider now and say what to fix, and where",
  help: `Asks the service to examine the provider as a sign-in would meet it: discovery and its issuer,
the key set and its algorithms, PKCE, whether the token endpoint accepts the client's credentials,
the email scope, userinfo and the provider's clock. Prints one line per check (pass, warn or fail)
and, for each warning and failure, what to change at the provider or here. Exits 4 when a check
fails; warnings alone exit 0.`,
  options: {},
  run: (ctx, { args }) => doctorProvider(ctx, args[0]!, args[1]!),
};
