import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { ConfigSchema, MALLOC_SETTINGS, serviceNodeOptions } from "@deskgate/runtime";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

/**
 * No Docker engine runs on these machines, so the compose file is checked for structure:
 * the four services, healthchecks, start order, and only real configuration variables.
 */
const root = resolve(import.meta.dirname, "..");
const compose = parse(readFileSync(resolve(root, "docker-compose.yml"), "utf8"), { merge: true }) as {
  services: Record<
    string,
    {
      build?: { context: string; dockerfile: string; args?: { APP: string; SEMI_SPACE_MB?: string } };
      image?: string;
      environment?: Record<string, string>;
      healthcheck?: { test: string[] };
      depends_on?: Record<string, { condition: string }>;
    }
  >;
};

describe("docker-compose.yml", () => {
  it("runs postgres, api, worker and the simulator", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["api", "postgres", "sim", "worker"]);
  });

  it("builds each app from its own entry point", () => {
    for (const name of ["api", "worker", "sim"]) {
      const build = compose.services[name]!.build!;
      expect(existsSync(resolve(root, build.dockerfile))).toBe(true);
      expect(existsSync(resolve(root, "apps", build.args!.APP, "src/main.ts"))).toBe(true);
    }
  });

  it("runs every app with deskgate's process environment (heap sizing, malloc, compile cache)", () => {
    const dockerfile = readFileSync(resolve(root, "Dockerfile"), "utf8");
    const semi = (role: "api" | "worker") => /--max-semi-space-size=(\d+)/.exec(serviceNodeOptions(role))![1];
    expect(dockerfile).toContain(`ARG SEMI_SPACE_MB=${semi("api")}`);
    const [, oldSpace] = serviceNodeOptions("api").split(" ");
    expect(dockerfile).toMatch(/NODE_OPTIONS="--max-semi-space-size=\$\{SEMI_SPACE_MB\} (\S+)"/);
    expect(/NODE_OPTIONS="\S+ (\S+)"/.exec(dockerfile)![1]).toBe(oldSpace);
    for (const [name, value] of Object.entries(MALLOC_SETTINGS))
      expect(dockerfile).toContain(`${name}=${value}`);
    expect(dockerfile).toContain("NODE_COMPILE_CACHE=");
    expect(compose.services.worker!.build!.args).toMatchObject({ SEMI_SPACE_MB: semi("worker") });
  });

  it("has healthchecks, and api and worker start after a healthy database and simulator", () => {
    for (const name of ["postgres", "sim", "api"])
      expect(compose.services[name]!.healthcheck?.test.length).toBeGreaterThan(0);
    for (const name of ["api", "worker"]) {
      expect(compose.services[name]!.depends_on).toEqual({
        postgres: { condition: "service_healthy" },
        sim: { condition: "service_healthy" },
      });
    }
  });

  it("configures api and worker only with variables deskgate reads, and valid values", () => {
    const known = new Set(Object.keys(ConfigSchema.shape));
    for (const name of ["api", "worker"]) {
      const env = compose.services[name]!.environment!;
      for (const key of Object.keys(env)) expect(known, `${name}: ${key}`).toContain(key);
      const resolved = Object.fromEntries(
        Object.entries(env).map(([k, v]) => [k, String(v).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, "$1")]),
      );
      expect(() => ConfigSchema.parse(resolved)).not.toThrow();
      expect(resolved.DATABASE_URL).toMatch(/@postgres:5432\//);
    }
  });
});
