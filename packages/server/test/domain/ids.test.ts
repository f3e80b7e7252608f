import assert from "node:assert/strict";
import { test } from "node:test";
import { newId } from "../../src/domain/ids.ts";

test("ids made in the same millisecond still sort in creation order", () => {
  const now = Date.now() + 60_000;
  const ids = Array.from({ length: 1000 }, () => newId(now));
  assert.deepEqual([...ids].sort(), ids);
  assert.equal(new Set(ids).size, ids.length);
  assert.ok(newId(now + 1) > ids.at(-1)!, "a later millisecond sorts after");
});
