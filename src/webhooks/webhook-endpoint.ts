import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TugboatConfig } from "../config/schema.js";
import { errorMessage } from "../core/errors.js";
import { headerValue, pathOf } from "../core/http-request.js";
import type { Logger } from "../core/logger.js";
import { SeenIds, type SharedIds } from "../core/seen-ids.js";
import type { Clock } from "../core/services.js";
import { appsOfRepo, dispatchDelivery, type GithubEventHandlers } from "./dispatch.js";
import { isHandledEvent, parsePayload } from "./payloads.js";

// POST /github/webhooks: GitHub's deliveries (a repository's or organization's webhook, or a GitHub App's). The order
// of the checks is the point: size, signature (401 before anything else is read), headers and payload, then the
// claim of the delivery id and of the body across replicas; only then 202, and the handlers run after the answer,
// since GitHub gives up on a delivery after 10 s.

export const WEBHOOKS_PATH = "/github/webhooks";

/** GitHub caps payloads at 25 MB, but what Tugboat handles (push with at most 20 commits, pull_request) is far smaller. */
export const MAX_WEBHOOK_BODY_BYTES = 5 * 1024 * 1024;

/**
 * How long this replica remembers a delivery id (and a body); the shared record keeps them as long
 * (replica-sharing.ts, GITHUB_DELIVERY_TTL_MS). GitHub never redelivers on its own; a person can redeliver from the
 * hook's page, and a delivery already handled is refused within this window.
 */
export const DELIVERY_MEMORY_MS = 24 * 60 * 60 * 1000;

/** The shared claim must not hold the answer past GitHub's 10 s: after this the delivery is handled (twice beats never). */
const CLAIM_TIMEOUT_MS = 3_000;

/** X-GitHub-Delivery is a GUID; anything longer or stranger is not GitHub's. */
const DELIVERY_ID = /^[A-Za-z0-9-]{1,64}$/;
const EVENT_NAME = /^[a-z_]{1,64}$/;

/** Checks X-Hub-Signature-256 (src/gateways/github/webhook-verifier.ts, with @octokit/webhooks). */
export interface WebhookVerifier {
  /** False for a missing, malformed or wrong signature; never throws. */
  verify(rawBody: string, signature: string | undefined): Promise<boolean>;
}

export interface WebhookEndpointDeps {
  verifier: WebhookVerifier;
  config: TugboatConfig;
  handlers: GithubEventHandlers;
  log: Logger;
  clock: Clock;
  /** The replicas' shared record of ids (src/domain/replicas/shared-event-ids.ts); without it, this replica's memory only. */
  shared?: SharedIds;
  /** GITHUB_INSTALLATION_ID: a GitHub App's deliveries for other installations are ignored. */
  installationId?: number;
  maxBodyBytes?: number;
}

export interface WebhookEndpoint {
  /** Answers POST /github/webhooks and returns true; false for any other path. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  /** Resolves when the handlers of every delivery accepted so far have finished. */
  idle(): Promise<void>;
  /** New deliveries get 503 (GitHub shows them as failed, to redeliver); waits for handlers already running. */
  stop(): Promise<void>;
}

export function createWebhookEndpoint(deps: WebhookEndpointDeps): WebhookEndpoint {
  const log = deps.log.child({ component: "github-webhooks" });
  const maxBytes = deps.maxBodyBytes ?? MAX_WEBHOOK_BODY_BYTES;
  const seen = new SeenIds(DELIVERY_MEMORY_MS, () => deps.clock.now().getTime());
  const running = new Set<Promise<void>>();
  const stopping = new AbortController();
  let stopped = false;

  const firstTime = async (key: string): Promise<boolean> => {
    if (!seen.firstTime(key)) return false;
    if (!deps.shared) return true;
    const timeout = new AbortController();
    const claim = deps.shared.firstTime(key).catch(() => true);
    const late = deps.clock.sleep(CLAIM_TIMEOUT_MS, timeout.signal).then(
      () => {
        log.warn("the shared record of GitHub deliveries did not answer in time; handling the delivery");
        return true;
      },
      () => true,
    );
    try {
      return await Promise.race([claim, late]);
    } finally {
      timeout.abort();
    }
  };

  const forget = async (key: string): Promise<void> => {
    seen.forget(key);
    await deps.shared?.forget?.(key);
  };

  const receive = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (stopped) return send(res, 503, { error: "shutting down; redeliver later" });
    if (!isJson(req)) return send(res, 415, { error: "the webhook's content type must be application/json" });
    const body = await readBounded(req, maxBytes);
    if (body === "too-large") return send(res, 413, { error: `payload larger than ${maxBytes} bytes` }, true);
    if (body === "aborted") return;

    const raw = body.toString("utf8");
    if (!(await deps.verifier.verify(raw, headerValue(req, "x-hub-signature-256")))) {
      log.warn("refused a GitHub webhook delivery: missing or wrong X-Hub-Signature-256", { remote: req.socket.remoteAddress });
      return send(res, 401, { error: "signature missing or wrong" });
    }

    const id = headerValue(req, "x-github-delivery") ?? "";
    const name = headerValue(req, "x-github-event") ?? "";
    if (!DELIVERY_ID.test(id) || !EVENT_NAME.test(name)) return send(res, 400, { error: "X-GitHub-Delivery and X-GitHub-Event are required" });
    if (name === "ping") return send(res, 200, { ok: true });
    if (!isHandledEvent(name)) return send(res, 202, { ignored: `event ${name}` });

    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return send(res, 400, { error: "the body is not JSON" });
    }
    const parsed = parsePayload(name, json);
    if (!parsed.ok) {
      log.warn("refused a GitHub webhook delivery: a payload field is invalid", { delivery: id, event: name, problem: parsed.problem });
      return send(res, 400, { error: `invalid payload: ${parsed.problem}` });
    }
    const payload = parsed.payload;
    const apps = appsOfRepo(deps.config, payload.repository.full_name);
    if (apps.length === 0) return send(res, 202, { ignored: "repository not configured" });
    if (deps.installationId !== undefined && payload.installation && payload.installation.id !== deps.installationId) {
      return send(res, 202, { ignored: "another installation of the GitHub App" });
    }

    // The signature covers the body only, so a replay under a new delivery id is caught by the body's digest. The body
    // is claimed first: a refused replay writes nothing (no Lease a replay), and GitHub's redelivery, which keeps the
    // id and the body, is a repeat either way. The id is claimed as well: one event's deliveries to two hooks (an
    // organization's and a repository's) share the id but not always the body.
    const bodyKey = `github-body:${createHash("sha256").update(body).digest("hex")}`;
    const idKey = `github-delivery:${id}`;
    if (!(await firstTime(bodyKey))) {
      log.warn("refused a GitHub webhook delivery: its body was already delivered (a redelivery or a replay)", { delivery: id, event: name });
      return send(res, 200, { duplicate: "body already handled" });
    }
    if (!(await firstTime(idKey))) return send(res, 200, { duplicate: "delivery already handled" });
    if (stopped) {
      // Stopping while the claims were made: nothing runs, so the claims are given back and GitHub's redelivery (the
      // same id and body) is handled by another replica or after the restart.
      await Promise.all([bodyKey, idKey].map((key) => forget(key)));
      return send(res, 503, { error: "shutting down; redeliver later" });
    }

    send(res, 202, { accepted: id });
    const dlog = log.child({ delivery: id, event: name, repo: payload.repository.full_name });
    dlog.info("GitHub webhook delivery accepted", { sender: payload.sender.login });
    const work = dispatchDelivery(deps.handlers, { id, name, payload }, apps, dlog, stopping.signal).finally(() => running.delete(work));
    running.add(work);
  };

  return {
    handle(req, res) {
      if (pathOf(req) !== WEBHOOKS_PATH) return false;
      if (req.method !== "POST") {
        req.resume();
        res.writeHead(405, { allow: "POST" }).end();
        return true;
      }
      receive(req, res).catch((err) => {
        log.error("a GitHub webhook delivery failed before it was answered", { error: errorMessage(err) });
        if (!res.headersSent) send(res, 500, { error: "internal error" });
      });
      return true;
    },
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
    async stop() {
      stopped = true;
      stopping.abort(new Error("Tugboat is shutting down"));
      await this.idle();
    },
  };
}

function isJson(req: IncomingMessage): boolean {
  const type = headerValue(req, "content-type") ?? "";
  return /^application\/json\s*(;|$)/i.test(type);
}

/** The body, or "too-large" once it passes the limit (the rest is not read), or "aborted" when the client went away. */
function readBounded(req: IncomingMessage, max: number): Promise<Buffer | "too-large" | "aborted"> {
  const declared = Number(headerValue(req, "content-length"));
  if (Number.isFinite(declared) && declared > max) return Promise.resolve("too-large");
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.removeAllListeners("data");
        req.pause();
        resolve("too-large");
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", () => resolve("aborted"));
    req.on("aborted", () => resolve("aborted"));
  });
}

function send(res: ServerResponse, status: number, body: Record<string, unknown>, close = false): void {
  if (res.headersSent) return;
  const headers: Record<string, string> = { "content-type": "application/json", "cache-control": "no-store" };
  if (close) headers.connection = "close";
  res.writeHead(status, headers).end(JSON.stringify(body));
}
