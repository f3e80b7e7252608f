/**
 * The demo `npm start` runs on a fresh data directory, and when it does not run. The service is
 * started as `npm start` starts it (node packages/server/src/main.ts), as a child process.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { freePort, spawnService, temporaryDataDir } from "./support/spawned-service.ts";

type Org = { id: string; name: string; domains: string[] };
type Provider = {
  providerName: string;
  issuer: string;
  clientId: string;
  redirectUris: string[];
  enableJit: boolean;
  clientSecretSet: boolean;
};

const listening = /listening on (http:\/\/\S+)/;
const orgsOf = async (response: Response) => {
  assert.equal(response.status, 200);
  return (await response.json()) as Org[];
};

describe("the demo", () => {
  test("DEMO=off: no demo provider, no demo organisation, no demo file, and the loopback switch stays off", async (t) => {
    const dataDir = temporaryDataDir(t);
    const service = spawnService(t, { DATA_DIR: dataDir, PORT: String(await freePort()), DEMO: "off" });
    const url = (await service.waitFor(listening))[1]!;
    await service.waitFor(/Sign-in page: /);
    assert.doesNotMatch(service.out(), /demo/i);
    assert.equal(existsSync(join(dataDir, "demo.json")), false);
    assert.deepEqual(await orgsOf(await service.admin(`${url}/api/v1/orgs`)), []);
    // The operator's ALLOW_INSECURE_LOOPBACK_PROVIDERS (default false) is what the service runs with.
    const org = await service.admin(`${url}/api/v1/orgs`, {
      method: "POST",
      body: JSON.stringify({ name: "Acme", domains: ["acme.test"] }),
    });
    assert.equal(org.status, 201);
    const { id } = (await org.json()) as Org;
    const provider = await service.admin(`${url}/api/v1/orgs/${id}/oauth-providers/plain`, {
      method: "PUT",
      body: JSON.stringify({
        clientId: "c",
        clientSecret: "s",
        issuer: "http://127.0.0.1:9/",
        redirectUris: ["http://127.0.0.1:3000/callback"],
      }),
    });
    assert.equal(provider.status, 400);
    assert.equal(((await provider.json()) as { error: string }).error, "INVALID_PROVIDER_SETTINGS");
    // The sign-in page itself is not part of the demo: it is always there.
    assert.equal((await fetch(`${url}/`)).status, 200);
    assert.equal(await service.stop(), 0);
  });

  test("DEMO=auto on a fresh start seeds the demo; a restart brings the same provider back without seeding again", async (t) => {
    const dataDir = temporaryDataDir(t);
    const port = String(await freePort());
    const first = spawnService(t, { DATA_DIR: dataDir, PORT: port, DEMO: "auto" });
    const url = (await first.waitFor(listening))[1]!;
    const issuer = (await first.waitFor(/Demo provider:\s+(http:\/\/\S+)/))[1]!;
    assert.match(first.out(), /Sign in at:\s+http:\/\/127\.0\.0\.1:\d+\/\n/);
    assert.match(first.out(), /Demo user:\s+demo@example\.com\s+password: demo/);
    assert.match(first.out(), /Admin console:\s+http:\/\/127\.0\.0\.1:\d+\/admin\s/);
    assert.match(first.out(), /Plain-http providers on loopback are ALLOWED while the demo runs/);
    assert.match(issuer, /^http:\/\/127\.0\.0\.1:\d+$/);

    const [org] = await orgsOf(await first.admin(`${url}/api/v1/orgs`));
    assert.ok(org);
    assert.equal(org.name, "Demo");
    assert.deepEqual(org.domains, ["example.com"]);
    const provider = (await (await first.admin(`${url}/api/v1/orgs/${org.id}/oauth-providers/demo`)).json()) as Provider;
    assert.equal(provider.issuer, issuer);
    assert.deepEqual(
      provider.redirectUris,
      [`${url}/callback`, `${url}/admin/test-signin`],
      "the sign-in page, and the console's test sign-ins",
    );
    assert.equal(provider.enableJit, true);
    assert.equal(provider.clientSecretSet, true);

    const demoFile = join(dataDir, "demo.json");
    assert.equal(statSync(demoFile).mode & 0o777, 0o600);
    const saved = JSON.parse(readFileSync(demoFile, "utf8")) as { port: number; orgId: string; clientSecret: string };
    assert.equal(saved.orgId, org.id);
    assert.equal(`http://127.0.0.1:${saved.port}`, issuer);
    const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as { issuer: string; jwks_uri: string };
    assert.equal(discovery.issuer, issuer);
    const kids = async () => ((await (await fetch(discovery.jwks_uri)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    const kidsBefore = await kids();
    // The service reaches the demo provider: the admin API's provider test passes.
    const check = await first.admin(`${url}/api/v1/orgs/${org.id}/oauth-providers/demo/test`, { method: "POST" });
    assert.equal(check.status, 200, await check.clone().text());
    assert.equal(await first.stop(), 0);
    // Stopping the service stopped the demo provider too.
    await assert.rejects(fetch(`${issuer}/.well-known/openid-configuration`));

    const second = spawnService(t, { DATA_DIR: dataDir, PORT: port, DEMO: "auto" });
    await second.waitFor(listening);
    assert.equal((await second.waitFor(/Demo provider:\s+(http:\/\/\S+)/))[1], issuer, "the same port, so the stored issuer still holds");
    assert.match(second.out(), /restarted from/);
    assert.doesNotMatch(second.out(), /Admin token/);
    const orgs = await orgsOf(await second.admin(`${url}/api/v1/orgs`));
    assert.deepEqual(
      orgs.map((o) => o.id),
      [org.id],
    );
    assert.deepEqual(await kids(), kidsBefore, "the demo provider keeps its signing keys");
    assert.equal(await second.stop(), 0);

    // DEMO=off later: the demo file stays, but nothing demo-like starts.
    const third = spawnService(t, { DATA_DIR: dataDir, PORT: port, DEMO: "off" });
    await third.waitFor(/Sign-in page: /);
    assert.doesNotMatch(third.out(), /Demo provider/);
    await assert.rejects(fetch(`${issuer}/.well-known/openid-configuration`));
    assert.equal(await third.stop(), 0);
  });

  test("DEMO=auto with an organisation already configured starts no demo", async (t) => {
    const dataDir = temporaryDataDir(t);
    const port = String(await freePort());
    const setup = spawnService(t, { DATA_DIR: dataDir, PORT: port, DEMO: "off" });
    const url = (await setup.waitFor(listening))[1]!;
    const created = await setup.admin(`${url}/api/v1/orgs`, {
      method: "POST",
      body: JSON.stringify({ name: "Acme", domains: ["acme.test"] }),
    });
    assert.equal(created.status, 201);
    assert.equal(await setup.stop(), 0);

    const service = spawnService(t, { DATA_DIR: dataDir, PORT: port, DEMO: "auto" });
    await service.waitFor(/Sign-in page: /);
    assert.doesNotMatch(service.out(), /Demo provider|Demo mode/);
    assert.equal(existsSync(join(dataDir, "demo.json")), false);
    assert.deepEqual(
      (await orgsOf(await service.admin(`${url}/api/v1/orgs`))).map((o) => o.name),
      ["Acme"],
    );
    assert.equal(await service.stop(), 0);
  });

  test("DEMO=auto with a public URL that is not loopback starts no demo and says why", async (t) => {
    const dataDir = temporaryDataDir(t);
    const service = spawnService(t, {
      DATA_DIR: dataDir,
      PORT: String(await freePort()),
      DEMO: "auto",
      PUBLIC_URL: "https://auth.acme.test",
    });
    await service.waitFor(/Sign-in page: https:\/\/auth\.acme\.test\//);
    assert.match(service.out(), /Demo not started: .*PUBLIC_URL/);
    assert.doesNotMatch(service.out(), /Demo provider/);
    assert.equal(existsSync(join(dataDir, "demo.json")), false);
    assert.equal(await service.stop(), 0);
  });

  test("PORT=0 without PUBLIC_URL: the public URL names the port actually used", async (t) => {
    const service = spawnService(t, { DATA_DIR: temporaryDataDir(t), PORT: "0", DEMO: "auto" });
    const [, url, publicUrl] = await service.waitFor(/listening on (http:\/\/\S+) \(public URL (\S+)\)/);
    assert.equal(publicUrl, url);
    assert.doesNotMatch(url!, /:0$/);
    // The demo's description is a later write than the listening line: wait for it.
    await service.waitFor(new RegExp(`redirect URIs ${url}/callback and ${url}/admin/test-signin`));
    assert.equal(await service.stop(), 0);
  });
});
