import { createHash } from "node:crypto";
import type { IncomingMessage, ServerOptions, ServerResponse } from "node:http";
import { HTTPReceiver, type BufferedIncomingMessage, type HTTPReceiverOptions } from "@slack/bolt";
import type { Logger } from "../../core/logger.js";
import { headerValue, pathOf } from "../../core/http-request.js";
import { SeenIds } from "../../core/seen-ids.js";

// Bolt's HTTP receiver, made stricter. Bolt verifies the v0 signature and refuses timestamps more than five
// minutes old; in front of it this refuses timestamps more than five minutes in the future, and after Bolt's
// verification it marks repeats of an already-verified request (same timestamp and body) so nothing runs twice.

export const EVENTS_PATH = "/slack/events";
export const HEALTH_PATH = "/healthz";
const MAX_SKEW_SECONDS = 5 * 60;

/** Set on Bolt's context for a request whose signature was already seen (a replay). */
export const REPLAY_KEY = "tugboatReplayedRequest";

/**
 * Slack sends small bodies at once and gives up after 3 s, so nothing legitimate needs Node's defaults (300 s for a
 * request, 60 s for headers, unlimited connections): a client trickling a body would hold a socket for minutes.
 */
export interface HttpLimits {
  /** The whole request, headers and body, must arrive within this (Node's requestTimeout). */
  requestTimeoutMs: number;
  /** The headers must arrive within this (Node's headersTimeout). */
  headersTimeoutMs: number;
  /** Idle keep-alive connections are closed after this. */
  keepAliveTimeoutMs: number;
  /** How often Node checks the two time-outs above (its default, 30 s, would let a slow request live that long). */
  checkIntervalMs: number;
  /** Connections beyond this are refused. */
  maxConnections: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = { requestTimeoutMs: 10_000, headersTimeoutMs: 5_000, keepAliveTimeoutMs: 5_000, checkIntervalMs: 1_000, maxConnections: 256 };

/** The server options that carry the limits (the connection limit is set on the server once it exists). */
export function limitedServerOptions(limits: HttpLimits): ServerOptions {
  return {
    requestTimeout: limits.requestTimeoutMs,
    headersTimeout: limits.headersTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: limits.checkIntervalMs,
  };
}

export interface StrictReceiverOptions {
  signingSecret: string;
  log: Logger;
  boltLogger: HTTPReceiverOptions["logger"];
  now?: () => number;
  /** Extra readiness check for /healthz. */
  healthy?: () => boolean;
  /** Tugboat's /healthz, /readyz and /metrics (src/infra/ops-endpoints.ts); returns false for other paths. */
  ops?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** Seconds from a request to /slack/events arriving to its answer (the ack), for metrics. */
  onAnswered?: (seconds: number) => void;
  /** Told of each request to /slack/events when it arrives and once it is answered or its connection closes (ack-first.ts). */
  acks?: { arrived(): void; answered(): void };
}

export class StrictHTTPReceiver extends HTTPReceiver {
  constructor(opts: StrictReceiverOptions) {
    const now = opts.now ?? Date.now;
    // Remember verified requests for twice the allowed skew: past that, Bolt or the check below refuses the timestamp anyway.
    const seenRequests = new SeenIds(2 * MAX_SKEW_SECONDS * 1000, now);
    super({
      signingSecret: opts.signingSecret,
      endpoints: [EVENTS_PATH],
      logger: opts.boltLogger,
      // Ack first: Bolt answers Slack as soon as a handler calls ack(), before the handler's slow work finishes.
      processBeforeResponse: false,
      signatureVerification: true,
      customRoutes: [
        {
          path: HEALTH_PATH,
          method: ["GET"],
          handler: (_req: IncomingMessage, res: ServerResponse) => {
            const ok = opts.healthy?.() ?? true;
            res.writeHead(ok ? 200 : 503, { "content-type": "application/json" });
            res.end(JSON.stringify({ ok }));
          },
        },
      ],
      // Runs only after Bolt has verified the signature and the timestamp. The key is what the signature covers
      // (timestamp as Bolt reads it, and the raw body), not the header's spelling: Bolt ignores anything after a
      // second "=" in the signature and leading zeros or spaces in the timestamp, so the raw header is no identity.
      customPropertiesExtractor: (req: BufferedIncomingMessage) => {
        const ts = Number(headerValue(req, "x-slack-request-timestamp"));
        const key = createHash("sha256").update(`${ts}:`).update(req.rawBody).digest("hex");
        return { [REPLAY_KEY]: !seenRequests.firstTime(key) };
      },
    });
    const boltListener = this.requestListener;
    this.requestListener = (req, res) => {
      if (opts.ops?.(req, res)) return;
      if (req.method === "POST" && pathOf(req) === EVENTS_PATH) {
        const t0 = performance.now();
        if (opts.onAnswered) res.once("finish", () => opts.onAnswered!((performance.now() - t0) / 1000));
        if (opts.acks) {
          const acks = opts.acks;
          acks.arrived();
          let open = true;
          const answered = () => {
            if (open) acks.answered();
            open = false;
          };
          res.once("finish", answered);
          res.once("close", answered);
        }
        const ts = Number(headerValue(req, "x-slack-request-timestamp"));
        if (Number.isFinite(ts) && ts - Math.floor(now() / 1000) > MAX_SKEW_SECONDS) {
          opts.log.warn("refused a Slack request: its timestamp is more than 5 minutes in the future");
          req.resume();
          res.writeHead(401).end();
          return;
        }
      }
      boltListener(req, res);
    };
  }
}
