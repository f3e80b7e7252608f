import assert from "node:assert/strict";
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { describe, test } from "node:test";
import { compactVerify, importSPKI, SignJWT, importPKCS8 } from "jose";
import { jwtClaimRefusal, type JwtClaimRules, parseCompactJws, signCompactJws, verifyJwsSignature } from "../../src/domain/compact-jws.ts";

const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const pem = (key: KeyObject, type: "spki" | "pkcs8") => key.export({ type, format: "pem" }) as string;

function verified(token: string, key = ec.publicKey) {
  const jws = parseCompactJws(token);
  if (typeof jws === "string") return jws;
  return verifyJwsSignature(jws, key);
}

describe("domain/compact-jws: signatures over node:crypto KeyObjects", () => {
  test("what it signs, jose verifies; what jose signs, it verifies (ES256, RS256, PS256)", async () => {
    const token = signCompactJws({ alg: "ES256", kid: "k1", typ: "at+jwt" }, { sub: "alice" }, ec.privateKey);
    const checked = await compactVerify(token, await importSPKI(pem(ec.publicKey, "spki"), "ES256"));
    assert.deepEqual(JSON.parse(new TextDecoder().decode(checked.payload)), { sub: "alice" });
    for (const [alg, keys] of [
      ["ES256", ec],
      ["RS256", rsa],
      ["PS256", rsa],
    ] as const) {
      const jose = await new SignJWT({ sub: "bob" })
        .setProtectedHeader({ alg })
        .sign(await importPKCS8(pem(keys.privateKey, "pkcs8"), alg));
      assert.equal(verified(jose, keys.publicKey), true, alg);
    }
  });

  test("ECDSA signatures on every curve, and Ed25519, agree with jose's both ways (r and s of every length, DER and r ‖ s)", async () => {
    for (const [alg, curve, times] of [
      ["ES256", "P-256", 200],
      ["ES384", "P-384", 20],
      ["ES512", "P-521", 20],
    ] as const) {
      const keys = generateKeyPairSync("ec", { namedCurve: curve });
      const joseKey = await importSPKI(pem(keys.publicKey, "spki"), alg);
      const joseSigner = await importPKCS8(pem(keys.privateKey, "pkcs8"), alg);
      for (let i = 0; i < times; i++) {
        const ours = signCompactJws({ alg }, { i }, keys.privateKey);
        await compactVerify(ours, joseKey);
        assert.equal(verified(ours, keys.publicKey), true, `${alg} #${i}, ours`);
        const theirs = await new SignJWT({ i }).setProtectedHeader({ alg }).sign(joseSigner);
        assert.equal(verified(theirs, keys.publicKey), true, `${alg} #${i}, jose's`);
      }
    }
    const ed = generateKeyPairSync("ed25519");
    const token = signCompactJws({ alg: "EdDSA" }, { sub: "alice" }, ed.privateKey);
    await compactVerify(token, await importSPKI(pem(ed.publicKey, "spki"), "EdDSA"));
    assert.equal(verified(token, ed.publicKey), true);
  });

  test("a changed payload, header or signature is refused", () => {
    const [h, p, s] = signCompactJws({ alg: "ES256" }, { sub: "alice" }, ec.privateKey).split(".") as [string, string, string];
    const other = Buffer.from(JSON.stringify({ sub: "mallory" })).toString("base64url");
    assert.equal(verified(`${h}.${other}.${s}`), "signature");
    assert.equal(verified(`${Buffer.from(JSON.stringify({ alg: "ES256", kid: "x" })).toString("base64url")}.${p}.${s}`), "signature");
    assert.equal(verified(`${h}.${p}.${"A".repeat(86)}`), "signature");
    assert.equal(verified(`${h}.${p}.AAAA`), "signature", "a signature of the wrong length");
  });

  test("only asymmetric algorithms, each with its own kind of key: none, HS256, a key of another type or curve, a short RSA key are refused", () => {
    const unsigned = (alg: string) =>
      `${Buffer.from(JSON.stringify({ alg })).toString("base64url")}.${Buffer.from("{}").toString("base64url")}.`;
    assert.equal(verified(unsigned("none")), "algorithm");
    assert.equal(verified(unsigned("HS256")), "algorithm");
    assert.equal(verified(unsigned("constructor")), "algorithm", "not a name from the object's prototype");
    const rs = signCompactJws({ alg: "RS256" }, {}, rsa.privateKey);
    assert.equal(verified(rs, ec.publicKey), "key", "an EC key for RS256");
    const p384 = generateKeyPairSync("ec", { namedCurve: "P-384" });
    assert.equal(verified(signCompactJws({ alg: "ES256" }, {}, ec.privateKey), p384.publicKey), "key", "a P-384 key for ES256");
    const short = generateKeyPairSync("rsa", { modulusLength: 1024 });
    assert.throws(() => signCompactJws({ alg: "RS256" }, {}, short.privateKey));
    assert.equal(verified(rs, short.publicKey), "key", "an RSA key under 2048 bits");
  });

  test("malformed tokens and critical extensions it does not understand are refused", () => {
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    assert.equal(parseCompactJws("a.b"), "malformed");
    assert.equal(parseCompactJws(`${part({ alg: "ES256" })}.${part([1])}.`), "malformed", "a payload that is not an object");
    assert.equal(parseCompactJws(`${part({})}.${part({})}.`), "malformed", "no alg");
    assert.equal(
      parseCompactJws(`${part({ alg: "ES256" })}.${Buffer.from([0xff, 0xfe]).toString("base64url")}.`),
      "malformed",
      "not UTF-8",
    );
    assert.equal(parseCompactJws(`${part({ alg: "ES256", crit: ["x"], x: 1 })}.${part({})}.`), "crit");
    assert.equal(parseCompactJws(`${part({ alg: "ES256", crit: ["b64"] })}.${part({})}.`), "crit", "named but absent");
    assert.equal(parseCompactJws(`${part({ alg: "ES256", crit: [] })}.${part({})}.`), "crit", "empty");
    assert.equal(parseCompactJws(`${part({ alg: "ES256", crit: ["b64"], b64: false })}.${part({})}.`), "crit");
    assert.equal(typeof parseCompactJws(`${part({ alg: "ES256", crit: ["b64"], b64: true })}.${part({})}.`), "object");
  });
});

describe("domain/compact-jws: the claims of a JWT", () => {
  const rules: JwtClaimRules = {
    required: ["sub", "exp"],
    issuer: "https://iss",
    audience: "app",
    clockToleranceSeconds: 30,
    now: 1_000_000,
  };
  const good = { iss: "https://iss", aud: "app", sub: "alice", iat: 1_000_000, exp: 1_000_300 };

  test("a token with the right claims passes, also with the audience among several (control)", () => {
    assert.equal(jwtClaimRefusal(good, rules), undefined);
    assert.equal(jwtClaimRefusal({ ...good, aud: ["other", "app"] }, rules), undefined);
    assert.equal(jwtClaimRefusal({ ...good, exp: 1_000_000 - 29 }, rules), undefined, "expired within the tolerance");
  });

  const cases: [string, Record<string, unknown>, string, string][] = [
    ["missing sub", { ...good, sub: undefined }, "sub", "missing"],
    ["another issuer", { ...good, iss: "https://evil" }, "iss", "unexpected"],
    ["no aud", { ...good, aud: undefined }, "aud", "missing"],
    ["another audience", { ...good, aud: ["other"] }, "aud", "unexpected"],
    ["exp past the tolerance", { ...good, exp: 1_000_000 - 30 }, "exp", "expired"],
    ["nbf beyond the tolerance", { ...good, nbf: 1_000_031 }, "nbf", "unexpected"],
    ["iat not a number", { ...good, iat: "1000000" }, "iat", "invalid"],
    ["exp not a number", { ...good, exp: "2000000" }, "exp", "invalid"],
  ];
  for (const [name, claims, claim, reason] of cases) {
    test(`${name} → refused (${claim}: ${reason})`, () => {
      const present = Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined));
      assert.deepEqual(jwtClaimRefusal(present, rules), { claim, reason });
    });
  }
});
