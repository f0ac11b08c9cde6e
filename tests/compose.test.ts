import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { ConfigSchema, MALLOC_SETTINGS, serviceNodeOptions } from "@deskgate/runtime";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

/**
 * No Docker engine runs on these machines, so the compose file and the Dockerfile are checked for
 * structure: the four services, healthchecks, start order, restart policy, required secrets, only
 * real configuration variables, and an image that caches its dependencies and runs unprivileged.
 * The healthcheck script they both run is run for real against HTTP servers.
 */
const root = resolve(import.meta.dirname, "..");
type Service = {
  build?: {
    context: string;
    dockerfile: string;
    args?: { APP: string; SEMI_SPACE_MB?: string; LISTEN_PORT?: string };
  };
  image?: string;
  restart?: string;
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  expose?: string[];
  ports?: string[];
};
const compose = parse(readFileSync(resolve(root, "docker-compose.yml"), "utf8"), { merge: true }) as {
  services: Record<string, Service>;
};
const dockerfile = readFileSync(resolve(root, "Dockerfile"), "utf8");

/** The secrets compose must be given: no value of theirs is written anywhere in the repository. */
const SECRETS = [
  "POSTGRES_PASSWORD",
  "DESKGATE_ENCRYPTION_KEY",
  "DESKGATE_WEBHOOK_SECRET",
  "DESKGATE_BOOTSTRAP_API_KEY",
];
const SAMPLE_SECRETS: Record<string, string> = {
  POSTGRES_PASSWORD: "0123456789abcdef0123456789abcdef",
  DESKGATE_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"),
  DESKGATE_WEBHOOK_SECRET: `whsec_${Buffer.alloc(32, 9).toString("base64")}`,
  DESKGATE_BOOTSTRAP_API_KEY: "dg_0123456789abcdef0123456789abcdef0123456789abcdef",
};

/**
 * Compose's interpolation (the compose specification): `${VAR}`, `${VAR:-default}`,
 * `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`, `$$` for a dollar; any other `$` is an
 * invalid template that compose refuses.
 */
function interpolate(value: string, env: Record<string, string | undefined>): string {
  return value.replace(
    /\$(?:(\$)|([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}|)/g,
    (whole, dollar, bare, name, colon, op, arg) => {
      if (dollar) return "$";
      if (bare) return env[bare] ?? "";
      if (!name)
        throw new Error(`invalid interpolation in ${JSON.stringify(value)} at ${JSON.stringify(whole)}`);
      const v = env[name];
      const missing = colon ? !v : v === undefined;
      if (!op) return v ?? "";
      if (!missing) return v!;
      if (op === "-") return arg;
      throw new Error(`required variable ${name} is missing a value: ${arg}`);
    },
  );
}

function environment(name: string, env: Record<string, string | undefined>) {
  return Object.fromEntries(
    Object.entries(compose.services[name]!.environment!).map(([k, v]) => [k, interpolate(String(v), env)]),
  );
}

/** The Dockerfile's instructions in order, continuation lines joined. */
const instructions = dockerfile
  .replace(/\\\n/g, " ")
  .split("\n")
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith("#"))
  .map((l) => {
    const [op, ...rest] = l.split(/\s+/);
    return { op: op!.toUpperCase(), args: rest.join(" ") };
  });
const indexOf = (pred: (i: { op: string; args: string }) => boolean) => instructions.findIndex(pred);

/** Run scripts/healthcheck.ts as the image does, with this environment. */
function healthcheck(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done) => {
    const proc = spawn(process.execPath, [resolve(root, "scripts/healthcheck.ts")], {
      env: { PATH: process.env.PATH ?? "", ...env },
    });
    let stderr = "";
    proc.stderr.on("data", (c) => (stderr += c));
    proc.on("exit", (code) => done({ code, stderr }));
  });
}

describe("docker-compose.yml", () => {
  it("runs postgres, api, worker and the simulator, each restarted unless stopped", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["api", "postgres", "sim", "worker"]);
    for (const [name, service] of Object.entries(compose.services))
      expect(service.restart, name).toBe("unless-stopped");
  });

  it("builds each app from its own entry point", () => {
    for (const name of ["api", "worker", "sim"]) {
      const build = compose.services[name]!.build!;
      expect(existsSync(resolve(root, build.dockerfile))).toBe(true);
      expect(existsSync(resolve(root, "apps", build.args!.APP, "src/main.ts"))).toBe(true);
    }
  });

  it("runs every app with deskgate's process environment (heap sizing, malloc, compile cache)", () => {
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

  it("has healthchecks (the api by /readyz, the worker by its metrics port), start order after a healthy database and simulator", () => {
    for (const name of ["postgres", "sim", "api", "worker"])
      expect(compose.services[name]!.healthcheck?.test.length, name).toBeGreaterThan(0);
    for (const name of ["sim", "api", "worker"])
      expect(compose.services[name]!.healthcheck!.test).toEqual(["CMD", "node", "scripts/healthcheck.ts"]);
    for (const name of ["api", "worker"]) {
      expect(compose.services[name]!.depends_on).toEqual({
        postgres: { condition: "service_healthy" },
        sim: { condition: "service_healthy" },
      });
    }
  });

  it("requires every secret (no published fallback) and names the one missing", () => {
    const raw = readFileSync(resolve(root, "docker-compose.yml"), "utf8");
    for (const secret of SECRETS) {
      const uses = [...raw.matchAll(new RegExp(`\\$\\{${secret}([^}]*)\\}`, "g"))].map((m) => m[1]!);
      expect(uses.length, secret).toBeGreaterThan(0);
      for (const use of uses) expect(use, secret).toMatch(/^:\?\S/); // set and not empty, with a hint
      for (const name of ["api", "worker"]) {
        const without = { ...SAMPLE_SECRETS, [secret]: undefined };
        expect(() => environment(name, without)).toThrow(`required variable ${secret} is missing a value`);
        expect(() => environment(name, { ...SAMPLE_SECRETS, [secret]: "" })).toThrow(secret);
      }
    }
    expect(() => interpolate(String(compose.services.postgres!.environment!.POSTGRES_PASSWORD), {})).toThrow(
      "POSTGRES_PASSWORD",
    );
    // No value looks like a secret written into the file.
    expect(raw).not.toMatch(/whsec_[A-Za-z0-9+/=]{8,}|dg_[A-Za-z0-9_-]{8,}|[A-Za-z0-9+/]{40,}={0,2}/);
  });

  it("configures api and worker only with variables deskgate reads, and valid values", () => {
    const known = new Set(Object.keys(ConfigSchema.shape));
    for (const name of ["api", "worker"]) {
      const env = environment(name, SAMPLE_SECRETS);
      for (const key of Object.keys(env)) expect(known, `${name}: ${key}`).toContain(key);
      const config = ConfigSchema.parse(env);
      expect(config.DATABASE_URL).toBe(
        `postgres://deskgate:${SAMPLE_SECRETS.POSTGRES_PASSWORD}@postgres:5432/deskgate`,
      );
      expect(config.DESKGATE_BOOTSTRAP_API_KEY).toBe(SAMPLE_SECRETS.DESKGATE_BOOTSTRAP_API_KEY);
    }
  });

  it("serves the worker's /metrics inside the compose network (not on the host)", () => {
    const worker = compose.services.worker!;
    const config = ConfigSchema.parse(environment("worker", SAMPLE_SECRETS));
    expect(config.DESKGATE_HOST).toBe("0.0.0.0"); // the metrics server binds every interface
    expect(worker.expose).toEqual([String(config.DESKGATE_WORKER_METRICS_PORT)]);
    expect(worker.build!.args!.LISTEN_PORT).toBe(String(config.DESKGATE_WORKER_METRICS_PORT));
    expect(worker.ports).toBeUndefined();
    const api = ConfigSchema.parse(environment("api", SAMPLE_SECRETS));
    expect(compose.services.api!.build!.args!.LISTEN_PORT).toBe(String(api.PORT));
    expect(compose.services.api!.ports).toEqual([`${api.PORT}:${api.PORT}`]);
  });
});

describe("Dockerfile", () => {
  it("installs the dependencies from the manifests before it copies the sources (layer cache)", () => {
    const install = indexOf((i) => i.op === "RUN" && /pnpm install --frozen-lockfile/.test(i.args));
    const sources = indexOf((i) => i.op === "COPY" && i.args === ". .");
    expect(install).toBeGreaterThan(0);
    expect(sources).toBeGreaterThan(install);
    const before = instructions
      .slice(0, install)
      .filter((i) => i.op === "COPY")
      .map((i) => i.args);
    // Every workspace package's manifest, plus what the lockfile install reads.
    const packages = ["apps", "packages"].flatMap((dir) =>
      readdirSync(resolve(root, dir))
        .filter((p) => existsSync(resolve(root, dir, p, "package.json")))
        .map((p) => `${dir}/${p}`),
    );
    expect(packages.length).toBeGreaterThan(5);
    for (const p of packages) expect(before, p).toContain(`${p}/package.json ${p}/`);
    expect(before).toContain("package.json pnpm-lock.yaml pnpm-workspace.yaml ./");
    expect(before).toContain("patches/ patches/");
    // Nothing else reaches the layers before the install: a source change never re-installs.
    expect(
      before.every((c) => /(package\.json|pnpm-lock\.yaml|pnpm-workspace\.yaml|patches\/) /.test(c)),
    ).toBe(true);
  });

  it("runs as an unprivileged user, exposes its port and checks its health", () => {
    const user = instructions.filter((i) => i.op === "USER").at(-1);
    expect(user?.args).toBeDefined();
    expect(["root", "0"]).not.toContain(user!.args.split(":")[0]);
    expect(indexOf((i) => i.op === "USER")).toBeLessThan(indexOf((i) => i.op === "CMD"));
    expect(instructions.find((i) => i.op === "EXPOSE")?.args).toMatch(/^\$\{LISTEN_PORT\}$/);
    expect(dockerfile).toMatch(/ARG LISTEN_PORT=8080/);
    expect(instructions.find((i) => i.op === "HEALTHCHECK")?.args).toMatch(
      /CMD \["node", "scripts\/healthcheck\.ts"\]$/,
    );
    const ignore = readFileSync(resolve(root, ".dockerignore"), "utf8").split("\n");
    for (const entry of ["node_modules", ".tools", ".data", ".git"]) expect(ignore).toContain(entry);
  });
});

describe("scripts/healthcheck.ts", () => {
  it("passes when the app's probe answers 2xx and fails otherwise: api /readyz, worker /metrics, sim state", async () => {
    const seen: string[] = [];
    let status = 200;
    const server = createServer((req, res) => {
      seen.push(req.url ?? "");
      res.writeHead(status).end("ok");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = String((server.address() as AddressInfo).port);
    try {
      expect((await healthcheck({ APP: "api", PORT: port })).code).toBe(0);
      expect((await healthcheck({ APP: "worker", DESKGATE_WORKER_METRICS_PORT: port })).code).toBe(0);
      expect((await healthcheck({ APP: "sim", PORT: port })).code).toBe(0);
      expect(seen).toEqual(["/readyz", "/metrics", "/_sim/state"]);
      status = 503; // e.g. /readyz while migrations are pending
      const failing = await healthcheck({ APP: "api", PORT: port });
      expect(failing.code).toBe(1);
      expect(failing.stderr).toContain("/readyz answered 503");
    } finally {
      await new Promise((r) => server.close(r));
    }
    const down = await healthcheck({ APP: "api", PORT: port }); // nothing listens any more
    expect(down.code).toBe(1);
    expect((await healthcheck({ APP: "nope" })).stderr).toContain("APP must be one of api, worker, sim");
  });
});
