import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { scheduleProviderWatch } from "../../src/admin/provider-watch-schedule.ts";
import { diffSnapshots, type ProviderSnapshot } from "../../src/domain/provider-watch.ts";
import { createMemoryState } from "../../src/state/memory-state.ts";
import { manualClock } from "../support/fakes.ts";
import { assertAuthError, type RunningService, startService } from "../support/service.ts";
import { type SignInFixture, signInFixture } from "../support/sign-in-fixture.ts";
import { rotateProviderKeys } from "../support/test-provider.ts";

interface Events {
  events: {
    type: string;
    orgId: string;
    provider: string;
    at: string;
    changes: { field: string; added?: string[]; removed?: string[]; before?: string; after?: string }[];
  }[];
}

/** Polls `read` every 100 ms until it returns something, or fails after `ms`. */
async function eventually<T>(read: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail("not seen in time");
    await sleep(100);
  }
}

const baselineTaken = (f: SignInFixture) =>
  eventually(async () => ((await f.service.app.store.providerWatch.lastSnapshot(f.orgId, "acme-idp")) ? true : undefined));

/** Waits until the service has logged `count` finished watch rounds. */
const roundsLogged = (service: RunningService, count: number) =>
  eventually(async () => (service.logs().split('"msg":"provider watch round"').length - 1 >= count ? true : undefined));

const events = (f: SignInFixture) => f.service.admin<Events>("GET", `/api/v1/orgs/${f.orgId}/events`);

describe("the provider watch records what changed at a provider", () => {
  test("a key rotation at the provider raises provider.changed with the keys added and removed, a metric, and a signed webhook", async (t) => {
    const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
    const receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    t.after(() => receiver.close());
    const secret = "webhook-secret-0123456789";
    // The watch's rounds come when the test moves the service's clock one interval on.
    const clock = manualClock(Date.now());
    const service = await startService(
      t,
      {
        providerWatchIntervalSeconds: 1,
        eventsWebhook: { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, secret },
      },
      { clock },
    );
    const f = await signInFixture(t, { service });
    await clock.advance(1000);
    await roundsLogged(service, 1);
    await baselineTaken(f);
    await clock.advance(1000);
    await roundsLogged(service, 2);
    assert.deepEqual((await events(f)).body.events, [], "the first reading is the baseline, and an unchanged provider raises nothing");

    await rotateProviderKeys(f.provider, { keepPrevious: false });
    await clock.advance(1000);
    const event = await eventually(async () => (await events(f)).body.events[0]);
    assert.equal(event.type, "provider.changed");
    assert.equal(event.provider, "acme-idp");
    const keys = event.changes.find((c) => c.field === "keys");
    // The test provider signs with an RS256 and an ES256 key: both replaced.
    assert.equal(keys?.added?.length, 2, JSON.stringify(event.changes));
    assert.equal(keys?.removed?.length, 2);
    assert.deepEqual(
      keys?.added?.filter((k) => keys.removed?.includes(k)),
      [],
    );
    assert.deepEqual(
      event.changes.map((c) => c.field),
      ["keys"],
      "nothing else changed",
    );

    const metrics = await (await fetch(`${f.service.url}/metrics`)).text();
    assert.match(metrics, new RegExp(`pipeshub_auth_provider_changes_total\\{org="${f.orgId}",provider="acme-idp"\\} 1`));

    const hook = await eventually(async () => received[0]);
    const timestamp = String(hook.headers["x-pipeshub-timestamp"]);
    const expected = `sha256=${createHmac("sha256", secret).update(`${timestamp}.${hook.body}`).digest("hex")}`;
    assert.equal(hook.headers["x-pipeshub-signature"], expected);
    assert.deepEqual(JSON.parse(hook.body), event);
  });

  test("the events of an unknown organisation are 404, and the list is the admin's only", async (t) => {
    const f = await signInFixture(t);
    assert.deepEqual((await events(f)).body, { events: [] });
    assertAuthError(await f.service.admin("GET", "/api/v1/orgs/0000000000000000000000000000000a/events"), 404, "ORG_NOT_FOUND");
    assertAuthError(await f.service.request("GET", `/api/v1/orgs/${f.orgId}/events`), 401, "UNAUTHORIZED");
  });

  test("with several instances on one shared state, one of them runs each round", async (t) => {
    const clock = manualClock();
    const state = createMemoryState(clock.now);
    t.after(() => state.close());
    let rounds = 0;
    const round = async () => {
      rounds++;
      return { checked: 0, changed: 0, unreadable: [] };
    };
    const instances = Array.from({ length: 3 }, () => scheduleProviderWatch({ intervalMs: 400, state, round, onRound: () => {}, clock }));
    await clock.advance(399);
    assert.equal(rounds, 0, "the first round comes one interval after start");
    await clock.advance(1);
    assert.equal(rounds, 1, "three instances ticked in one slot: one of them ran its round");
    await clock.advance(800);
    assert.equal(rounds, 3, "one round per slot");
    await Promise.all(instances.map((i) => i.stop()));
    await clock.advance(4000);
    assert.equal(rounds, 3, "stopped, no more rounds");
  });
});

describe("diffSnapshots", () => {
  const base: ProviderSnapshot = {
    issuer: "https://idp.example.com",
    authorizationEndpoint: "https://idp.example.com/authorize",
    tokenEndpoint: "https://idp.example.com/token",
    userinfoEndpoint: "https://idp.example.com/userinfo",
    jwksUri: "https://idp.example.com/jwks",
    algorithms: ["RS256"],
    keys: ["k1 (RSA RS256)"],
  };

  test("names every changed field with before and after, and the algorithms added and removed", () => {
    assert.deepEqual(diffSnapshots(base, base), []);
    assert.deepEqual(
      diffSnapshots(base, { ...base, issuer: "https://other.example.com", tokenEndpoint: null, algorithms: ["ES256", "RS256"] }),
      [
        { field: "issuer", before: "https://idp.example.com", after: "https://other.example.com" },
        { field: "tokenEndpoint", before: "https://idp.example.com/token", after: null },
        { field: "algorithms", added: ["ES256"], removed: [] },
      ],
    );
  });
});
