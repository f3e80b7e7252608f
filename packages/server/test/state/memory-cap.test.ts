import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { readConfig } from "../../src/config.ts";
import { createMemoryState } from "../../src/state/memory-state.ts";
import { startService } from "../support/service.ts";

describe("the in-memory state is bounded (MEMORY_STATE_MAX_ENTRIES)", () => {
  test("defaults to 100,000 entries", () => {
    assert.equal(readConfig({}).memoryStateMaxEntries, 100_000);
  });

  test("beyond the cap, expired entries go first, then the oldest written", async (t) => {
    let now = 0;
    const state = createMemoryState(() => now, { maxEntries: 3 });
    t.after(() => state.close());
    await state.set("short", "1", 10);
    await state.set("a", "1", 60_000);
    await state.set("b", "1", 60_000);
    now = 2_000; // "short" has expired
    await state.set("c", "1", 60_000);
    assert.equal(state.size, 3);
    assert.deepEqual([await state.get("a"), await state.get("b"), await state.get("c")], ["1", "1", "1"]);
    await state.set("d", "1", 60_000);
    assert.equal(state.size, 3);
    assert.equal(await state.get("a"), undefined, "the oldest written is dropped");
    assert.equal(await state.get("d"), "1");
    // Rewriting a key makes it the newest.
    await state.set("b", "2", 60_000);
    await state.set("e", "1", 60_000);
    assert.equal(await state.get("c"), undefined);
    assert.equal(await state.get("b"), "2");
  });

  test("a flood of initAuth keeps the sessions at the cap", async (t) => {
    const service = await startService(t, { memoryStateMaxEntries: 25 });
    for (let i = 0; i < 60; i++) {
      const response = await service.request("POST", "/userAccount/initAuth", {});
      assert.ok(response.headers.get("x-session-token"), response.text);
    }
    const size = (service.app.state as unknown as { size: number }).size;
    assert.equal(size, 25);
  });
});
