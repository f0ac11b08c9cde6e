import { interfaceAddresses, type OwnPort } from "./allowlist.ts";
import { urlPort } from "./callback-url.ts";

/** The settings `ownPortsFromConfig` reads, named as in @deskgate/runtime's `Config`. */
export interface OwnPortsConfig {
  readonly PORT: number;
  readonly DESKGATE_WORKER_METRICS_PORT: number;
  readonly DESKGATE_VDI_URL: string;
  readonly DESKGATE_HPC_URL: string;
  readonly DATABASE_URL?: string | undefined;
  readonly DESKGATE_OWN_PORTS: readonly number[];
}

/**
 * deskgate's own listening ports, which no callback may reach on this host (issue 17.4): the
 * api's `PORT`, the worker's metrics port (unless 0), the port of an upstream URL
 * (`DESKGATE_VDI_URL`, `DESKGATE_HPC_URL`) or of `DATABASE_URL` whose host is this host (a
 * loopback address, `localhost`, or one of its interface addresses: the bundled simulator, a
 * local PostgreSQL), and `DESKGATE_OWN_PORTS`. The api and the worker read the same
 * configuration, so both refuse the same ports.
 */
export function ownPortsFromConfig(
  config: OwnPortsConfig,
  localAddresses: readonly string[] = interfaceAddresses(),
): OwnPort[] {
  const ports: OwnPort[] = [{ port: config.PORT, what: "the api (PORT)" }];
  if (config.DESKGATE_WORKER_METRICS_PORT > 0) {
    ports.push({
      port: config.DESKGATE_WORKER_METRICS_PORT,
      what: "the worker's metrics (DESKGATE_WORKER_METRICS_PORT)",
    });
  }
  const upstream = new Map<number, string[]>();
  for (const name of ["DESKGATE_VDI_URL", "DESKGATE_HPC_URL"] as const) {
    const url = parse(config[name]);
    if (url && isThisHost(url.hostname, localAddresses)) {
      const port = urlPort(url);
      upstream.set(port, [...(upstream.get(port) ?? []), name]);
    }
  }
  for (const [port, names] of upstream) {
    ports.push({ port, what: `the upstream on this host (${names.join(", ")})` });
  }
  const database = config.DATABASE_URL ? parse(config.DATABASE_URL) : null;
  if (database && isThisHost(database.hostname, localAddresses)) {
    ports.push({
      port: database.port === "" ? 5432 : Number(database.port),
      what: "the database (DATABASE_URL)",
    });
  }
  for (const port of config.DESKGATE_OWN_PORTS) ports.push({ port, what: "DESKGATE_OWN_PORTS" });
  return ports;
}

function parse(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null; // e.g. a multi-host PostgreSQL URL: not one this check can place
  }
}

function isThisHost(hostname: string, localAddresses: readonly string[]): boolean {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, "$1");
  if (host === "") return false; // a Unix socket
  if (host === "localhost" || host.endsWith(".localhost") || host === "::1") return true;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) return true;
  return localAddresses.includes(host);
}
