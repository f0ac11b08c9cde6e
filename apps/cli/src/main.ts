#!/usr/bin/env node
import { resolve } from "node:path";
import { runCli } from "./cli.ts";
import { resolveTarget } from "./context.ts";

const root = resolve(import.meta.dirname, "../../..");
const code = await runCli(process.argv.slice(2), () => ({
  target: resolveTarget(process.env, resolve(root, process.env.DESKGATE_DATA_DIR ?? ".data")),
  write: (text) => process.stdout.write(text),
  readStdin: async () => {
    if (process.stdin.isTTY) process.stderr.write("password: ");
    let data = "";
    for await (const chunk of process.stdin) data += chunk;
    return data;
  },
}));
process.exit(code);
