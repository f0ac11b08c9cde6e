import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigError, ConfigSchema, loadConfig, vdiAuth } from "../src/config.ts";

const key = randomBytes(32).toString("base64");

describe("loadConfig", () => {
  it("fills every default from an almost empty environment", () => {
    const config = loadConfig({ DESKGATE_ENCRYPTION_KEY: key });
    expect(config.PORT).toBe(8080);
    expect(config.DESKGATE_VDI_URL).toBe("http://127.0.0.1:8090");
    expect(config.DESKGATE_ENCRYPTION_KEY).toHaveLength(32);
    expect(Object.keys(config.DESKGATE_VDI_OS_IMAGES).sort()).toEqual(["kylin", "macos", "win10", "win7"]);
  });

  it("a configured API key must be at least 32 characters (issue 17.9); the failure limit is a number", () => {
    const bad = () =>
      loadConfig({ DESKGATE_ENCRYPTION_KEY: key, DESKGATE_BOOTSTRAP_API_KEY: "dg_short-admin-key" });
    expect(bad).toThrow(ConfigError);
    try {
      bad();
    } catch (e) {
      const line = (e as ConfigError).lines.join("\n");
      expect(line).toMatch(/^DESKGATE_BOOTSTRAP_API_KEY .*at least 32 characters/);
      expect(line).not.toContain("dg_short-admin-key");
    }
    const long = `dg_${"a".repeat(29)}`;
    expect(
      loadConfig({ DESKGATE_ENCRYPTION_KEY: key, DESKGATE_BOOTSTRAP_API_KEY: long })
        .DESKGATE_BOOTSTRAP_API_KEY,
    ).toBe(long);
    expect(loadConfig({ DESKGATE_ENCRYPTION_KEY: key }).DESKGATE_AUTH_FAILURES_PER_MINUTE).toBe(30);
    expect(() =>
      loadConfig({ DESKGATE_ENCRYPTION_KEY: key, DESKGATE_AUTH_FAILURES_PER_MINUTE: "many" }),
    ).toThrow(ConfigError);
  });

  it("names each bad variable on a line of its own, without echoing secrets", () => {
    let error: unknown;
    try {
      loadConfig({
        DESKGATE_ENCRYPTION_KEY: "c2hvcnQ=",
        PORT: "eighty",
        DESKGATE_VDI_URL: "not a url",
        DESKGATE_WEBHOOK_SECRET: "plain-secret",
        DESKGATE_VDI_OS_IMAGES: "win10=abc,dos=xyz",
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const lines = (error as ConfigError).lines;
    expect(lines.map((l) => l.split(" ")[0]).sort()).toEqual(
      [
        "DESKGATE_ENCRYPTION_KEY",
        "DESKGATE_VDI_OS_IMAGES",
        "DESKGATE_VDI_URL",
        "DESKGATE_WEBHOOK_SECRET",
        "PORT",
      ].sort(),
    );
    expect(lines.find((l) => l.startsWith("DESKGATE_ENCRYPTION_KEY"))).toMatch(/\(set\): must be 32 bytes/);
    expect(lines.join("\n")).not.toContain("plain-secret");
    expect(lines.find((l) => l.startsWith("PORT"))).toContain('"eighty"');
  });

  it("keeps the real callback schedule unless DESKGATE_CALLBACK_RETRY_SCALE shortens it", () => {
    expect(loadConfig({ DESKGATE_ENCRYPTION_KEY: key }).DESKGATE_CALLBACK_RETRY_SCALE).toBe(1);
    expect(
      loadConfig({ DESKGATE_ENCRYPTION_KEY: key, DESKGATE_CALLBACK_RETRY_SCALE: "0.002" })
        .DESKGATE_CALLBACK_RETRY_SCALE,
    ).toBe(0.002);
    for (const bad of ["0", "-1", "1.5", "fast"]) {
      expect(() => loadConfig({ DESKGATE_ENCRYPTION_KEY: key, DESKGATE_CALLBACK_RETRY_SCALE: bad })).toThrow(
        /DESKGATE_CALLBACK_RETRY_SCALE \(".*"\): must be a number in \(0, 1\]/,
      );
    }
  });

  it("times upstream calls out after 30 s unless DESKGATE_UPSTREAM_TIMEOUT_MS says otherwise", () => {
    expect(loadConfig({ DESKGATE_ENCRYPTION_KEY: key }).DESKGATE_UPSTREAM_TIMEOUT_MS).toBe(30_000);
    expect(
      loadConfig({ DESKGATE_ENCRYPTION_KEY: key, DESKGATE_UPSTREAM_TIMEOUT_MS: "1500" })
        .DESKGATE_UPSTREAM_TIMEOUT_MS,
    ).toBe(1500);
    expect(() => loadConfig({ DESKGATE_ENCRYPTION_KEY: key, DESKGATE_UPSTREAM_TIMEOUT_MS: "5" })).toThrow(
      /DESKGATE_UPSTREAM_TIMEOUT_MS/,
    );
  });

  it("requires the encryption key", () => {
    expect(() => loadConfig({})).toThrow(/DESKGATE_ENCRYPTION_KEY \(unset\): is required/);
  });

  it("is documented variable by variable in .env.example", async () => {
    const { readFileSync } = await import("node:fs");
    const example = readFileSync(new URL("../../../.env.example", import.meta.url), "utf8");
    for (const name of Object.keys(ConfigSchema.shape)) expect(example).toMatch(new RegExp(`^${name}=`, "m"));
  });

  it("Workspace auth: AK/SK by default (the simulator's), each mode's settings required and mapped", () => {
    expect(vdiAuth(loadConfig({ DESKGATE_ENCRYPTION_KEY: key }))).toEqual({
      mode: "aksk",
      accessKey: "sim-ak",
      secretKey: "sim-sk",
    });
    expect(
      vdiAuth(
        loadConfig({
          DESKGATE_ENCRYPTION_KEY: key,
          DESKGATE_VDI_AK: "AK1",
          DESKGATE_VDI_SK: "SK1",
          DESKGATE_VDI_SECURITY_TOKEN: "sts",
        }),
      ),
    ).toEqual({ mode: "aksk", accessKey: "AK1", secretKey: "SK1", securityToken: "sts" });
    let error: unknown;
    try {
      loadConfig({
        DESKGATE_ENCRYPTION_KEY: key,
        DESKGATE_VDI_AUTH: "agency",
        DESKGATE_VDI_IAM_URL: "https://iam.example.com",
        DESKGATE_VDI_IAM_PASSWORD: "hunter2-secret",
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).lines).toEqual([
      "DESKGATE_VDI_IAM_DOMAIN (unset): is required with DESKGATE_VDI_AUTH=agency",
      "DESKGATE_VDI_IAM_USER (unset): is required with DESKGATE_VDI_AUTH=agency",
      "DESKGATE_VDI_AGENCY_DOMAIN (unset): is required with DESKGATE_VDI_AUTH=agency",
      "DESKGATE_VDI_AGENCY_NAME (unset): is required with DESKGATE_VDI_AUTH=agency",
    ]);
    expect(() => loadConfig({ DESKGATE_ENCRYPTION_KEY: key, DESKGATE_VDI_AUTH: "basic" })).toThrow(
      /DESKGATE_VDI_AUTH \("basic"\): must be aksk, password, agency or token/,
    );
    expect(() => loadConfig({ DESKGATE_ENCRYPTION_KEY: key, DESKGATE_VDI_SK: "" })).toThrow(
      /DESKGATE_VDI_SK \(set\)/,
    );
    const password = loadConfig({
      DESKGATE_ENCRYPTION_KEY: key,
      DESKGATE_VDI_AUTH: "password",
      DESKGATE_VDI_IAM_URL: "https://iam.example.com",
      DESKGATE_VDI_IAM_DOMAIN: "acme",
      DESKGATE_VDI_IAM_USER: "deskgate",
      DESKGATE_VDI_IAM_PASSWORD: "pw",
    });
    expect(vdiAuth(password)).toEqual({
      mode: "password",
      iamUrl: "https://iam.example.com",
      domain: "acme",
      user: "deskgate",
      password: "pw",
    });
  });
});
