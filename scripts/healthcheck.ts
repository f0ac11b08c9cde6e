// The container healthcheck of every deskgate image (Dockerfile HEALTHCHECK, docker-compose.yml):
// exit 0 when this container's app answers its probe, 1 otherwise. Which probe is the image's
// APP: the api its /readyz (database reachable and migrated), the worker its /metrics port, the
// simulator its state.
const env = process.env;
const probes: Record<string, string> = {
  api: `http://127.0.0.1:${env.PORT || 8080}/readyz`,
  worker: `http://127.0.0.1:${env.DESKGATE_WORKER_METRICS_PORT || 9464}/metrics`,
  sim: `http://127.0.0.1:${env.PORT || 8090}/_sim/state`,
};
const url = probes[env.APP ?? ""];
if (!url) {
  console.error(
    `healthcheck: APP must be one of ${Object.keys(probes).join(", ")} (got ${env.APP ?? "none"})`,
  );
  process.exit(1);
}
try {
  const token = env.APP === "worker" ? env.DESKGATE_METRICS_TOKEN : undefined;
  const res = await fetch(url, {
    signal: AbortSignal.timeout(2500),
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  await res.body?.cancel();
  if (!res.ok) console.error(`healthcheck: ${url} answered ${res.status}`);
  process.exit(res.ok ? 0 : 1);
} catch (error) {
  console.error(`healthcheck: ${url}: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
