import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { loadHpcAccount } from "@deskgate/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support/harness.ts";

/**
 * Issue 17.3: a hostile SCNet centre answers `http://127.0.0.1:…/internal-admin` as its HPC
 * URL. With the upstream policy not allowlisting loopback, the task fails with a clear reason
 * and no request, least of all one carrying the account's token, reaches that address.
 */
const seen: { url: string; token: unknown }[] = [];
const admin = createServer((req, res) => {
  seen.push({ url: req.url ?? "", token: req.headers.token });
  res.end('{"code":"0","msg":"success","data":[]}');
});
let h: Harness;

beforeAll(async () => {
  await new Promise<void>((r) => admin.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(admin.address() as AddressInfo).port}/internal-admin`;
  h = await startHarness({
    sim: { hpcUrls: [{ url, enable: "true" }] },
    upstreamUrlPolicy: { allowHttp: true }, // http allowed, loopback not allowlisted
  });
  await h.addHpcAccount("lab");
});
afterAll(async () => {
  await h?.stop();
  await new Promise((r) => admin.close(r));
});

describe("HPC URLs from the centre pass the upstream address policy", () => {
  it("a centre naming a loopback admin URL fails the task; nothing reaches the address", async () => {
    for (const kind of ["hpc.vnc_open", "hpc.vnc_list"] as const) {
      const task = await h.run(kind, { account: "lab" });
      expect(task.state).toBe("failed");
      expect(task.error).toMatch(/refused by the upstream address policy/);
      expect(task.error).toMatch(/127\.0\.0\.1 is loopback/);
    }
    expect((await loadHpcAccount(h.database.db, "lab"))?.hpcUrl).toBeNull();
    expect(seen).toEqual([]);
  });
});
