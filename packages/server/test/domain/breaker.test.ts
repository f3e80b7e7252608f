import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createBreaker } from "../../src/domain/breaker.ts";

/** A breaker on a clock the test moves. */
function breakerAt(options: { openMs?: number; probeMs?: number } = {}) {
  let t = 1_000_000;
  const breaker = createBreaker({ ...options, now: () => t });
  return { breaker, advance: (ms: number) => (t += ms) };
}

describe("a backend's circuit breaker", () => {
  test("lets every call through while the backend answers", () => {
    const { breaker } = breakerAt();
    for (let i = 0; i < 5; i++) {
      assert.equal(breaker.allow(), true);
      breaker.succeeded();
    }
    assert.equal(breaker.state, "closed");
  });

  test("after a failure, refuses every call for openMs, without asking the backend", () => {
    const { breaker, advance } = breakerAt({ openMs: 1000 });
    breaker.failed();
    assert.equal(breaker.state, "open");
    assert.equal(breaker.allow(), false);
    advance(999);
    assert.equal(breaker.allow(), false);
    assert.equal(breaker.state, "open");
  });

  test("once openMs has passed, lets one call through as a probe, and only one", () => {
    const { breaker, advance } = breakerAt({ openMs: 1000 });
    breaker.failed();
    advance(1000);
    assert.equal(breaker.state, "half-open");
    assert.equal(breaker.allow(), true, "the probe");
    assert.equal(breaker.allow(), false, "a second call while the probe is out");
    advance(500);
    assert.equal(breaker.allow(), false);
  });

  test("a probe that succeeds closes it: every call goes through again", () => {
    const { breaker, advance } = breakerAt({ openMs: 1000 });
    breaker.failed();
    advance(1000);
    assert.equal(breaker.allow(), true);
    breaker.succeeded();
    assert.equal(breaker.state, "closed");
    assert.equal(breaker.allow(), true);
    assert.equal(breaker.allow(), true);
  });

  test("a probe that fails opens it again for another openMs", () => {
    const { breaker, advance } = breakerAt({ openMs: 1000 });
    breaker.failed();
    advance(1000);
    assert.equal(breaker.allow(), true);
    advance(300);
    breaker.failed();
    assert.equal(breaker.state, "open");
    advance(999);
    assert.equal(breaker.allow(), false);
    advance(1);
    assert.equal(breaker.allow(), true, "the next probe");
  });

  test("a failure reported while open (a call sent before it opened) keeps it open from then on", () => {
    const { breaker, advance } = breakerAt({ openMs: 1000 });
    breaker.failed();
    advance(800);
    breaker.failed();
    advance(800);
    assert.equal(breaker.allow(), false, "1.6 s after the first failure, 0.8 s after the last");
    advance(200);
    assert.equal(breaker.allow(), true);
  });

  test("a probe whose outcome never comes back gives way to another after probeMs", () => {
    const { breaker, advance } = breakerAt({ openMs: 1000, probeMs: 3000 });
    breaker.failed();
    advance(1000);
    assert.equal(breaker.allow(), true);
    advance(2999);
    assert.equal(breaker.allow(), false, "the probe may still be waiting for its deadline");
    advance(1);
    assert.equal(breaker.allow(), true);
  });
});
