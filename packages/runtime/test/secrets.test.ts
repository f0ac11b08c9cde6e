import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../src/logger.ts";
import { generatePassword } from "../src/passwords.ts";
import { createSecretBox } from "../src/secret-box.ts";

describe("secret box (AES-256-GCM)", () => {
  const box = createSecretBox(randomBytes(32));

  it("round-trips, with a fresh IV each time", () => {
    const a = box.seal("P@ssw0rd-123");
    const b = box.seal("P@ssw0rd-123");
    expect(a).not.toBe(b);
    expect(a).not.toContain("P@ssw0rd");
    expect(box.open(a)).toBe("P@ssw0rd-123");
  });

  it("refuses tampered data and another key", () => {
    const sealed = box.seal("secret");
    const parts = sealed.split(".");
    parts[3] = Buffer.from("tampered").toString("base64url");
    expect(() => box.open(parts.join("."))).toThrow();
    expect(() => createSecretBox(randomBytes(32)).open(sealed)).toThrow();
  });
});

describe("generated passwords", () => {
  it("are 16 characters with every class and never contain the user name", () => {
    for (let i = 0; i < 500; i++) {
      const p = generatePassword("abc");
      expect(p).toHaveLength(16);
      expect(p).toMatch(/[A-Z]/);
      expect(p).toMatch(/[a-z]/);
      expect(p).toMatch(/[0-9]/);
      expect(p).toMatch(/[^A-Za-z0-9]/);
      expect(p.toLowerCase()).not.toContain("abc");
      expect(p.toLowerCase()).not.toContain("cba");
    }
  });
});

describe("logger", () => {
  it("redacts passwords, tokens and keys wherever they appear", () => {
    let out = "";
    const sink = new Writable({
      write(chunk, _enc, done) {
        out += chunk.toString();
        done();
      },
    });
    const logger = createLogger({ name: "t", destination: sink });
    logger.info(
      {
        password: "pw-1",
        user: { password: "pw-2", token: "tk-1" },
        req: { headers: { authorization: "Bearer k" } },
      },
      "x",
    );
    expect(out).not.toMatch(/pw-1|pw-2|tk-1|Bearer k/);
    expect(out).toContain("[redacted]");
  });
});

describe("metrics", () => {
  it("exposes deskgate's series in the Prometheus text format", async () => {
    const { createMetrics } = await import("../src/metrics.ts");
    const m = createMetrics("worker");
    m.taskDuration.observe({ kind: "desktop.apply", outcome: "succeeded" }, 1.2);
    m.callbackAttempts.inc({ outcome: "failed", error_class: "timeout" });
    const text = await m.registry.metrics();
    // label order is prom-client's business: match the labels, not their order
    const series = (name: string) => text.split("\n").filter((l) => l.startsWith(`${name}{`));
    expect(series("deskgate_task_duration_seconds_count")).toEqual([
      expect.stringMatching(/kind="desktop.apply".*outcome="succeeded".*\} 1$/),
    ]);
    expect(series("deskgate_callback_attempts_total")).toEqual([
      expect.stringMatching(/outcome="failed",error_class="timeout".*\} 1$/),
    ]);
    expect(text).toContain("process_resident_memory_bytes");
  });
});
