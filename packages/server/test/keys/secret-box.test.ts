import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createSecretBox } from "../../src/keys/secret-box.ts";

describe("the secret box sealing secrets at rest (AES-256-GCM)", () => {
  const box = createSecretBox(Buffer.alloc(32, 9));

  test("opens what it sealed, under the same context", () => {
    const sealed = box.seal("client-secret-value", "provider-1");
    assert.match(sealed, /^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.ok(!sealed.includes("client-secret-value"));
    assert.equal(box.open(sealed, "provider-1"), "client-secret-value");
  });

  test("a fresh IV each time: the same secret never seals the same way twice", () => {
    assert.notEqual(box.seal("same", "ctx"), box.seal("same", "ctx"));
  });

  test("bound to its context: a sealed value copied onto another row does not open", () => {
    assert.throws(() => box.open(box.seal("secret", "provider-1"), "provider-2"));
  });

  test("tampering is detected, and another key does not open it", () => {
    const [version, iv, tag, body] = box.seal("secret", "ctx").split(".");
    const flipped = Buffer.from(body!, "base64url");
    flipped[0] = flipped[0]! ^ 1;
    assert.throws(() => box.open([version, iv, tag, flipped.toString("base64url")].join("."), "ctx"));
    assert.throws(() => createSecretBox(Buffer.alloc(32, 8)).open(box.seal("secret", "ctx"), "ctx"));
    assert.throws(() => box.open("v2.a.b.c", "ctx"), /unknown format/);
  });

  test("the key must be 32 bytes", () => {
    assert.throws(() => createSecretBox(Buffer.alloc(16)), /32 bytes/);
  });
});
