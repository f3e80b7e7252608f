import assert from "node:assert/strict";
import { test } from "node:test";
import { firstIdAt, newId, newOpaqueToken } from "../../src/domain/ids.ts";

test("ids made in the same millisecond still sort in creation order", () => {
  const now = Date.now() + 60_000;
  const ids = Array.from({ length: 1000 }, () => newId(now));
  assert.deepEqual([...ids].sort(), ids);
  assert.equal(new Set(ids).size, ids.length);
  assert.ok(newId(now + 1) > ids.at(-1)!, "a later millisecond sorts after");
});

test("a time is a place among ids: those made before it sort below its first id, those made at it or after, at or above", () => {
  const at = Date.now() + 120_000;
  const before = Array.from({ length: 100 }, () => newId(at - 1));
  const from = [...Array.from({ length: 100 }, () => newId(at)), newId(at + 1)];
  assert.ok(before.every((id) => id < firstIdAt(at)));
  assert.ok(from.every((id) => id >= firstIdAt(at)));
  assert.equal(firstIdAt(at).length, from[0]!.length);
});

test("opaque tokens and ids never repeat random bytes, across many refills of the random batch", () => {
  // 32 bytes each: 2,000 tokens use up the 4 KiB batch more than 15 times.
  const tokens = Array.from({ length: 2000 }, () => newOpaqueToken());
  for (const token of tokens) assert.equal(Buffer.from(token, "base64url").length, 32);
  assert.equal(new Set(tokens).size, tokens.length);
  const now = Date.now() + 120_000;
  const randomParts = Array.from({ length: 2000 }, () => newId(now).slice(16));
  for (const part of randomParts) assert.match(part, /^[0-9a-f]{16}$/);
  assert.equal(new Set(randomParts).size, randomParts.length, "two ids share their random part");
  // No slice of one token shows up in another: every byte is handed out once.
  const halves = tokens.flatMap((t) => {
    const bytes = Buffer.from(t, "base64url");
    return [bytes.subarray(0, 16).toString("hex"), bytes.subarray(16).toString("hex")];
  });
  assert.equal(new Set(halves).size, halves.length);
});
