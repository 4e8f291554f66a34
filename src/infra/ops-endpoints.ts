import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pathOf } from "../core/http-request.js";
import type { ReadinessState } from "../startup/readiness.js";

// /healthz, /readyz and /metrics. In Slack HTTP mode they are served by the Slack receiver on PORT (next to
// /slack/events); in Socket Mode and the terminal by a small server of their own on PORT. With METRICS_PORT, PORT
// keeps /healthz only (load balancers' health checks) and the three are served on METRICS_PORT (publicAndPrivateOps).

export const HEALTH_PATH = "/healthz";
export const READY_PATH = "/readyz";
export const METRICS_PATH = "/metrics";

export interface OpsSources {
  readiness(): ReadinessState;
  metrics: { text(): Promise<string>; contentType: string };
}

/** Answers the three paths (GET and HEAD) and returns true, or returns false for anything else. */
export type OpsHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

export function createOpsHandler(sources: OpsSources): OpsHandler {
  return (req, res) => {
    const path = pathOf(req);
    if (path !== HEALTH_PATH && path !== READY_PATH && path !== METRICS_PATH) return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return true;
    }
    if (path === HEALTH_PATH) {
      // Alive: the event loop answers. Nothing external is checked, so a broken API never restarts the pod.
      sendJson(res, 200, { ok: true });
    } else if (path === READY_PATH) {
      const state = sources.readiness();
      sendJson(res, state.ready ? 200 : 503, state);
    } else {
      sources.metrics.text().then(
        (text) => res.writeHead(200, { "content-type": sources.metrics.contentType }).end(req.method === "HEAD" ? undefined : text),
        () => res.writeHead(500).end(),
      );
    }
    return true;
  };
}

/**
 * The handlers for PORT (public: what Slack and GitHub post to; `webhooks` answers false until it exists) and, when the ops
 * paths are `separate`, for METRICS_PORT. Separated, PORT answers /healthz only: /readyz says which dependency is
 * unreachable and /metrics what runs where, neither for the internet.
 */
export function publicAndPrivateOps(ops: OpsHandler, webhooks: OpsHandler, separate: boolean): { public: OpsHandler; private?: OpsHandler } {
  const onPublic: OpsHandler = separate ? (req, res) => pathOf(req) === HEALTH_PATH && ops(req, res) : ops;
  return { public: (req, res) => webhooks(req, res) || onPublic(req, res), private: separate ? ops : undefined };
}

/** A server for the ops paths alone (Socket Mode, the terminal); everything else is 404. */
export async function listenOps(handler: OpsHandler, port: number, host?: string): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer({ requestTimeout: 10_000, headersTimeout: 5_000, keepAliveTimeout: 5_000 }, (req, res) => {
    if (!handler(req, res)) res.writeHead(404).end();
  });
  server.maxConnections = 64;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify(body));
}
