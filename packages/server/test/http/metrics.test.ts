import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import { assertAuthError, startService } from "../support/service.ts";
import { REDIRECT_URI, signInFixture } from "../support/sign-in-fixture.ts";

describe("/metrics", () => {
  test("labels sign-ins only with configured providers: any other name in a request counts as `other`", async (t) => {
    const { service, exchange } = await signInFixture(t);
    const random = Array.from({ length: 20 }, () => `p${randomBytes(6).toString("hex")}`);
    for (const provider of random)
      assertAuthError(await exchange({ code: "c", email: "alice@acme.test", provider }), 400, "PROVIDER_NOT_FOUND");
    assertAuthError(
      await exchange({ code: "c", email: "alice@acme.test", redirectUri: `${REDIRECT_URI}/other` }),
      400,
      "REDIRECT_URI_MISMATCH",
    );
    const text = await (await fetch(`${service.url}/metrics`)).text();
    for (const name of random) assert.doesNotMatch(text, new RegExp(name));
    assert.match(
      text,
      /pipeshub_auth_sign_ins_total\{event="oauth\.exchange",org="[^"]+",provider="other",outcome="failure",error="PROVIDER_NOT_FOUND"\} 20/,
    );
    assert.match(
      text,
      /pipeshub_auth_sign_ins_total\{event="oauth\.exchange",org="[^"]+",provider="acme-idp",outcome="failure",error="REDIRECT_URI_MISMATCH"\} 1/,
    );
  });

  test("with METRICS_TOKEN it requires Authorization: Bearer <token>", async (t) => {
    const token = "metrics-token-0123456789";
    const service = await startService(t, { metricsToken: token });
    assertAuthError(await service.request("GET", "/metrics"), 401, "UNAUTHORIZED");
    assertAuthError(
      await service.request("GET", "/metrics", undefined, { authorization: "Bearer not-the-token-0123456789" }),
      401,
      "UNAUTHORIZED",
    );
    const ok = await service.request("GET", "/metrics", undefined, { authorization: `Bearer ${token}` });
    assert.equal(ok.status, 200);
    assert.match(ok.text, /pipeshub_auth_http_requests_total/);
  });

  test("without METRICS_TOKEN it is open", async (t) => {
    const service = await startService(t);
    assert.equal((await service.request("GET", "/metrics")).status, 200);
  });
});
