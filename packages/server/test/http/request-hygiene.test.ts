import assert from "node:assert/strict";
import { connect } from "node:net";
import { describe, test } from "node:test";
import { ownPostgresSchema } from "../support/postgres-schema.ts";
import { assertAuthError, type ErrorBody, type RunningService, startService } from "../support/service.ts";

const postgresUrl = process.env.TEST_DATABASE_URL;

/** Sends raw bytes and reads the whole answer: for requests fetch would refuse to send. */
function rawRequest(service: RunningService, bytes: string | Buffer): Promise<{ status: number; body: ErrorBody; text: string }> {
  const { port } = new URL(service.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), "127.0.0.1", () => socket.end(bytes));
    const chunks: Buffer[] = [];
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", reject);
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
      const json = text.slice(text.indexOf("\r\n\r\n") + 4);
      let body: ErrorBody;
      try {
        body = JSON.parse(json) as ErrorBody;
      } catch {
        body = { error: "", message: text, code: "", statusCode: 0 };
      }
      resolve({ status, body, text });
    });
  });
}

for (const [engine, url] of [
  ["SQLite", undefined],
  ["PostgreSQL", postgresUrl],
] as const) {
  describe(
    `strings no database can store are 400 VALIDATION_ERROR (${engine})`,
    { skip: engine === "PostgreSQL" && !url ? "TEST_DATABASE_URL is not set (CI sets it)" : false },
    () => {
      test("a NUL or a lone surrogate in a body, query or path parameter, public or admin, never reaches SQL", async (t) => {
        const service = await startService(t, url ? { database: { kind: "postgres", url: await ownPostgresSchema(t, url) } } : {});
        const org = await service.admin<{ id: string }>("POST", "/api/v1/orgs", { name: "Corp", domains: ["corp.test"] });
        assert.equal(org.status, 201, org.text);
        const orgId = org.body.id;
        const cases: [string, string, unknown, boolean][] = [
          [
            "POST",
            "/userAccount/oauth/exchange",
            { code: "c", email: "a@corp.test", provider: "corp\u0000x", redirectUri: "https://app.test/cb" },
            false,
          ],
          [
            "POST",
            "/userAccount/oauth/exchange",
            { code: "c", email: "a@corp.test", provider: "corp\ud800", redirectUri: "https://app.test/cb" },
            false,
          ],
          [
            "GET",
            "/userAccount/oauth/authorize?provider=corp%00&email=a%40corp.test&redirectUri=https%3A%2F%2Fapp.test%2Fcb",
            undefined,
            false,
          ],
          ["POST", "/userAccount/initAuth", { email: "a\u0000@corp.test" }, false],
          ["POST", "/api/v1/orgs", { name: "Corp\u0000", domains: ["corp2.test"] }, true],
          ["GET", `/api/v1/orgs/${orgId}/audit?cursor=abc%00`, undefined, true],
          ["GET", `/api/v1/orgs/${orgId}/users?email=a%00%40corp.test`, undefined, true],
          ["GET", `/api/v1/orgs/${orgId}%00`, undefined, true],
          ["PUT", `/api/v1/orgs/${orgId}/oauth-providers/corp%00x`, { clientId: "app" }, true],
        ];
        for (const [method, path, body, admin] of cases) {
          const response = admin ? await service.admin(method, path, body) : await service.request(method, path, body);
          assertAuthError(response, 400, "VALIDATION_ERROR");
        }
      });
    },
  );
}

/** Bytes that are not UTF-8: a raw 0xFF, an overlong "/" (C0 AF), an encoded lone surrogate (ED A0 80). */
const NOT_UTF8 = { "0xFF": Buffer.from([0xff]), overlong: Buffer.from([0xc0, 0xaf]), surrogate: Buffer.from([0xed, 0xa0, 0x80]) };
const percentEncoded = (bytes: Buffer) => [...bytes].map((b) => `%${b.toString(16).toUpperCase()}`).join("");

/** A JSON body whose `field` holds `bytes` as they are, sent over HTTP as bytes (JSON.stringify would make them valid). */
function jsonWithBytes(fields: Record<string, unknown>, field: string, bytes: Buffer): Buffer {
  const [before, after] = JSON.stringify({ ...fields, [field]: "\u0001" }).split("\\u0001");
  return Buffer.concat([Buffer.from(before!), Buffer.from("x"), bytes, Buffer.from("y"), Buffer.from(after!)]);
}

async function sendBytes(service: RunningService, method: string, path: string, body?: Buffer, admin = false) {
  const response = await fetch(`${service.url}${path}`, {
    method,
    headers: { "content-type": "application/json", ...(admin && { authorization: `Bearer ${service.app.config.adminToken}` }) },
    ...(body && { body: new Uint8Array(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as ErrorBody, text, sessionToken: response.headers.get("x-session-token") };
}

const assertNotUtf8 = (response: { status: number; body: ErrorBody; text: string }, field: string) =>
  assert.equal(assertAuthError(response, 400, "VALIDATION_ERROR").message, `${field} is not valid UTF-8.`);

for (const [engine, url] of [
  ["SQLite", undefined],
  ["PostgreSQL", postgresUrl],
] as const) {
  describe(
    `bytes that are not UTF-8 are 400 VALIDATION_ERROR naming the field, and nothing is stored (${engine})`,
    { skip: engine === "PostgreSQL" && !url ? "TEST_DATABASE_URL is not set (CI sets it)" : false },
    () => {
      test("in a JSON body, a query string or a path parameter of admin writes and reads", async (t) => {
        const service = await startService(t, url ? { database: { kind: "postgres", url: await ownPostgresSchema(t, url) } } : {});
        const org = await service.admin<{ id: string }>("POST", "/api/v1/orgs", { name: "Corp", domains: ["corp.test"] });
        const orgId = org.body.id;
        for (const [kind, bytes] of Object.entries(NOT_UTF8)) {
          await t.test(kind, async () => {
            const orgBody = jsonWithBytes({ domains: [`${kind.toLowerCase()}.test`] }, "name", bytes);
            assertNotUtf8(await sendBytes(service, "POST", "/api/v1/orgs", orgBody, true), "body.name");
            const userBody = jsonWithBytes({ email: "bad@corp.test" }, "fullName", bytes);
            assertNotUtf8(await sendBytes(service, "POST", `/api/v1/orgs/${orgId}/users`, userBody, true), "body.fullName");
            const providerBody = jsonWithBytes({ clientId: "app", issuer: "https://idp.corp.test" }, "scope", bytes);
            assertNotUtf8(await sendBytes(service, "PUT", `/api/v1/orgs/${orgId}/oauth-providers/corp`, providerBody, true), "body.scope");
            const badName = `corp${percentEncoded(bytes)}`;
            const provider = Buffer.from(JSON.stringify({ clientId: "app", issuer: "https://idp.corp.test" }));
            assertNotUtf8(
              await sendBytes(service, "PUT", `/api/v1/orgs/${orgId}/oauth-providers/${badName}`, provider, true),
              "params.name",
            );
            assertNotUtf8(
              await sendBytes(service, "GET", `/api/v1/orgs/${orgId}/users?email=a${percentEncoded(bytes)}%40corp.test`, undefined, true),
              "querystring.email",
            );
          });
        }
        // Nothing of it was stored: one organisation, no user, no provider.
        const orgs = await service.admin<{ id: string }[]>("GET", "/api/v1/orgs");
        assert.deepEqual(
          orgs.body.map((o) => o.id),
          [orgId],
        );
        const users = await service.admin<unknown[]>("GET", `/api/v1/orgs/${orgId}/users`);
        assert.deepEqual(users.body, [], users.text);
        const providers = await service.admin<unknown[]>("GET", `/api/v1/orgs/${orgId}/oauth-providers`);
        assert.deepEqual(providers.body, [], providers.text);
      });

      test("in the public initAuth email, body or query, before any sign-in session starts", async (t) => {
        const service = await startService(t, url ? { database: { kind: "postgres", url: await ownPostgresSchema(t, url) } } : {});
        await service.admin("POST", "/api/v1/orgs", { name: "Corp", domains: ["corp.test"] });
        for (const bytes of Object.values(NOT_UTF8)) {
          const body = Buffer.concat([Buffer.from('{"email":"a'), bytes, Buffer.from('@corp.test"}')]);
          const refused = await sendBytes(service, "POST", "/userAccount/initAuth", body);
          assertNotUtf8(refused, "body.email");
          assert.equal(refused.sessionToken, null);
          assertNotUtf8(
            await sendBytes(service, "GET", `/userAccount/oauth/authorize?provider=corp&email=a${percentEncoded(bytes)}%40corp.test`),
            "querystring.email",
          );
        }
        // A body whose bad byte sits outside any string names the body.
        assertNotUtf8(await sendBytes(service, "POST", "/userAccount/initAuth", Buffer.from([0x7b, 0xff, 0x7d])), "body");
        // The same request with valid bytes starts a sign-in session: the refusals above did not.
        const valid = await sendBytes(service, "POST", "/userAccount/initAuth", Buffer.from('{"email":"a@corp.test"}'));
        assert.equal(valid.status, 200, valid.text);
        assert.ok(valid.sessionToken);
      });

      test("raw bytes of 0x80 and above in the request line are not HTTP: 400 MALFORMED_REQUEST", async (t) => {
        const service = await startService(t);
        const line = Buffer.concat([
          Buffer.from("GET /userAccount/oauth/authorize?email=a"),
          NOT_UTF8["0xFF"],
          Buffer.from(" HTTP/1.1\r\nHost: x\r\n\r\n"),
        ]);
        assertAuthError(await rawRequest(service, line), 400, "MALFORMED_REQUEST");
      });
    },
  );
}

describe("framework and HTTP-parser errors answer AuthError JSON", () => {
  test("a badly encoded URL, an over-long path parameter, oversized headers, a malformed request line", async (t) => {
    const service = await startService(t);
    assertAuthError(await service.admin("GET", "/api/v1/orgs/%zz/users"), 400, "MALFORMED_REQUEST");
    assertAuthError(await service.admin("GET", `/api/v1/orgs/${"a".repeat(500)}/users`), 414, "URI_TOO_LONG");
    assertAuthError(
      await rawRequest(service, `GET /healthz?x=${"a".repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`),
      431,
      "HEADERS_TOO_LARGE",
    );
    assertAuthError(
      await rawRequest(service, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${"b".repeat(20_000)}\r\n\r\n`),
      431,
      "HEADERS_TOO_LARGE",
    );
    assertAuthError(await rawRequest(service, "THIS IS NOT HTTP\r\n\r\n"), 400, "MALFORMED_REQUEST");
    assertAuthError(
      await rawRequest(service, "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n"),
      400,
      "MALFORMED_REQUEST",
    );
    assertAuthError(await service.request("POST", "/userAccount/initAuth", "x".repeat(70 * 1024)), 413, "PAYLOAD_TOO_LARGE");
    const text = await fetch(`${service.url}/userAccount/initAuth`, {
      method: "POST",
      headers: { "content-type": "application/xml" },
      body: "<hi/>",
    });
    assertAuthError({ status: text.status, body: await text.json(), text: "" }, 415, "UNSUPPORTED_MEDIA_TYPE");
  });
});
