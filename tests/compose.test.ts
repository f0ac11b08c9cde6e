import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { ConfigSchema, SERVICE_NODE_OPTIONS } from "@deskgate/runtime";
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
      build?: { context: string; dockerfile: string; args?: { APP: string } };
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

  it("runs every app with deskgate's Node flags (heap sizing) and a compile cache", () => {
    const dockerfile = readFileSync(resolve(root, "Dockerfile"), "utf8");
    expect(dockerfile).toContain(
      `ENV NODE_OPTIONS="${SERVICE_NODE_OPTIONS}" MALLOC_ARENA_MAX=2 NODE_COMPILE_CACHE=`,
    );
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
