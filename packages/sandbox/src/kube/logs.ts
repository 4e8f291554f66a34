/** Deterministic, synthetic container logs for pods/log. */
import { ApiError } from "./errors.js";
import { fnv32 } from "./util.js";

export interface LogOpts { container?: string; tailLines?: number; sinceSeconds?: number; sinceTime?: string; timestamps?: boolean; previous?: boolean; limitBytes?: number }

const PERIOD_MS = 10_000;
const MAX_LINES = 5000;

function tsNano(ms: number, salt: number): string {
  const iso = new Date(ms).toISOString();
  const frac = String(salt % 1_000_000).padStart(6, "0");
  return iso.replace(/\.(\d{3})Z$/, `.$1${frac}Z`);
}

function line(container: string, image: string, k: number): string {
  const paths = ["/status", "/healthz", "/api/v3/repos", "/login", "/_ping"];
  const h = fnv32(`${container}:${k}`);
  const path = paths[h % paths.length];
  const dur = ((h >>> 8) % 900) / 10 + 0.3;
  if (container === "statsd" || image.includes("statsd")) return `level=info ts=${"%TS%"} caller=exporter.go:${100 + (h % 50)} msg="Flushed metrics" count=${h % 200}`;
  return `method=GET path=${path} status=200 duration=${dur.toFixed(1)}ms request_id=${h.toString(16).padStart(8, "0")}`;
}

export function podLogs(pod: any, o: LogOpts): string {
  const name = pod.metadata.name;
  const containers: any[] = pod.spec?.containers ?? [];
  let cname = o.container;
  if (!cname) {
    if (containers.length === 1) cname = containers[0].name;
    else throw new ApiError(400, "BadRequest", `a container name must be specified for pod ${name}, choose one of: [${containers.map((c) => c.name).join(" ")}]`);
  }
  const c = containers.find((x) => x.name === cname);
  if (!c) throw new ApiError(400, "BadRequest", `container ${cname} is not valid for pod ${name}`);
  const cs = (pod.status?.containerStatuses ?? []).find((x: any) => x.name === cname);
  const waiting = cs?.state?.waiting?.reason;
  if (!cs || waiting === "ContainerCreating" || waiting === "PodInitializing") {
    throw new ApiError(400, "BadRequest", `container "${cname}" in pod "${name}" is waiting to start: ${waiting ?? "ContainerCreating"}`);
  }
  if (waiting === "ImagePullBackOff" || waiting === "ErrImagePull") {
    throw new ApiError(400, "BadRequest", `container "${cname}" in pod "${name}" is waiting to start: trying and failing to pull image`);
  }
  const now = Date.now();
  const entries: Array<{ at: number; text: string }> = [];
  if (waiting === "CrashLoopBackOff" || o.previous) {
    const fin = Date.parse(cs.lastState?.terminated?.finishedAt ?? "") || now;
    entries.push({ at: fin - 900, text: `starting ${cname} (image ${c.image})` });
    entries.push({ at: fin - 500, text: "loading configuration from /etc/app/config.yml" });
    entries.push({ at: fin - 10, text: `panic: failed to connect to database: dial tcp 10.96.0.42:5432: connect: connection refused` });
    entries.push({ at: fin, text: "exit status 1" });
  } else {
    const start = Date.parse(cs.state?.running?.startedAt ?? "") || now;
    entries.push({ at: start, text: `starting ${cname} (image ${c.image})` });
    entries.push({ at: start + 120, text: `listening on 0.0.0.0:${c.ports?.[0]?.containerPort ?? 8080}` });
    entries.push({ at: start + 250, text: "ready to serve requests" });
    const periods = Math.max(0, Math.floor((now - start) / PERIOD_MS));
    const first = Math.max(1, periods - MAX_LINES + 1);
    for (let k = first; k <= periods; k++) entries.push({ at: start + k * PERIOD_MS, text: line(c.name, c.image, k) });
  }
  let sel = entries;
  if (o.sinceSeconds !== undefined) sel = sel.filter((e) => e.at >= now - o.sinceSeconds! * 1000);
  if (o.sinceTime) {
    const t = Date.parse(o.sinceTime);
    if (!Number.isNaN(t)) sel = sel.filter((e) => e.at >= t);
  }
  if (o.tailLines !== undefined && o.tailLines >= 0) sel = sel.slice(Math.max(0, sel.length - o.tailLines));
  let out = sel.map((e, i) => {
    const ts = tsNano(e.at, fnv32(`${name}${i}`));
    const text = e.text.replace("%TS%", new Date(e.at).toISOString());
    return o.timestamps ? `${ts} ${text}\n` : `${text}\n`;
  }).join("");
  if (o.limitBytes !== undefined && o.limitBytes > 0) out = out.slice(0, o.limitBytes);
  return out;
}
