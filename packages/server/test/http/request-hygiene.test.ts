import assert from "node:assert/strict";
import { connect } from "node:net";
import { describe, test } from "node:test";
import { ownPostgresSchema } from "../support/postgres-schema.ts";
import { assertAuthError, type ErrorBody, type RunningService, startService } from "../support/service.ts";

const postgresUrl = process.env.TEST_DATABASE_URL;

/** Sends raw bytes and reads the whole answer: for requests fetch would refuse to send. */
function rawRequest(service: RunningService, bytes: string): Promise<{ status: number; body: ErrorBody; text: string }> {
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

describe("framework and HTTP-parser errors answer AuthError JSON", () => {
  test("a badly encoded URL, an over-long path parameter, oversized headers, a malformed request line", async (t) => {
    const service = await startService(t);
    assertAuthError(await service.admin("GET", "/api/v1/orgs/%ff/users"), 400, "MALFORMED_REQUEST");
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
