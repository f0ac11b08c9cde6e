import { spawnSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/** `./dg`, the one entry point, follows the CLI conventions too (clig.dev). */
const root = resolve(import.meta.dirname, "..");
function dg(...args: string[]) {
  const r = spawnSync(resolve(root, "dg"), args, {
    cwd: root,
    encoding: "utf8",
    // this Node first, so dg finds a recent one and installs nothing
    env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}` },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("./dg", () => {
  it("--help, -h and help print its commands (no script line) and exit 0", () => {
    for (const flag of ["--help", "-h", "help"]) {
      const r = dg(flag);
      expect(r.code, flag).toBe(0);
      expect(r.stdout).toMatch(/^usage: \.\/dg <command>/);
      for (const cmd of ["start", "test", "deskgate", "drills", "bench"])
        expect(r.stdout).toContain(`  ${cmd} `);
      expect(r.stdout).not.toMatch(/set -euo|^#|pipefail/m);
      expect(r.stderr).toBe("");
    }
  });

  it("an unknown command exits 2 and lists dg's commands", () => {
    const r = dg("frobnicate");
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("dg: unknown command: frobnicate");
    expect(r.stderr).toContain("usage: ./dg <command>");
    expect(r.stderr).toMatch(/start +run deskgate/);
  });

  it("runs a script without pnpm's script line: ./dg deskgate --version prints the version only", () => {
    const r = dg("deskgate", "--version");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("deskgate 0.1.0\n");
    const help = dg("deskgate", "tasks", "list", "--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: deskgate tasks list/);
    const bad = dg("deskgate", "tasks", "list", "--stat", "x");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("unknown flag --stat");
  });
});
