import type { Command } from "./command.ts";
import { table } from "./output.ts";

const list: Command = {
  group: "keys",
  name: "list",
  args: [],
  synopsis: "",
  summary: "list the service's token signing keys (the current one signs new tokens)",
  help: "A retired key stays published in the JWKS until every token it signed has expired.",
  options: {},
  async run({ admin, out }) {
    const keys = await admin.listSigningKeys();
    if (out.json) return out.data(keys);
    out.line(
      table(keys, [
        { header: "KID", value: (k) => k.kid },
        { header: "ALG", value: (k) => k.alg },
        { header: "CURRENT", value: (k) => (k.current ? "yes" : "") },
        { header: "CREATED", value: (k) => k.createdAt },
        { header: "RETIRED", value: (k) => k.retiredAt ?? "-" },
      ]),
    );
  },
};

const rotate: Command = {
  group: "keys",
  name: "rotate",
  args: [],
  synopsis: "",
  summary: "rotate the service's token signing key",
  help: `New tokens are signed with a new key; the previous key stays published in the JWKS until
every token it signed has expired, so nobody is signed out.`,
  options: {},
  async run({ admin, out }) {
    const key = await admin.rotateSigningKeys();
    if (out.json) return out.data(key);
    out.line(`new signing key: ${key.kid}`);
  },
};

const reencrypt: Command = {
  group: "keys",
  name: "reencrypt",
  args: [],
  synopsis: "",
  summary: "re-encrypt stored secrets under the first ENCRYPTION_KEY",
  help: `While rotating the encryption key, every instance runs with ENCRYPTION_KEY=NEW,OLD (new
writes use the first key, reads try each). This re-encrypts every client secret and sealed
signing key under the first key; then OLD can be dropped from ENCRYPTION_KEY.`,
  options: {},
  async run({ admin, out }) {
    const result = await admin.reencryptSecrets();
    if (out.json) return out.data(result);
    out.line(`re-encrypted ${result.reencrypted} secret${result.reencrypted === 1 ? "" : "s"} under the current encryption key`);
  },
};

export const keyCommands: readonly Command[] = [list, rotate, reencrypt];
