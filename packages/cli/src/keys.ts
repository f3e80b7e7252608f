import type { Command } from "./command.ts";

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

export const keyCommands: readonly Command[] = [rotate];
