import { Octokit } from "@octokit/rest";
import { startHarness, type Harness, type HarnessOptions } from "../helpers/harness.js";
import { silentLogger } from "../../src/core/logger.js";
import { createWebhookVerifier } from "../../src/gateways/github/webhook-verifier.js";
import { listenOps } from "../../src/infra/ops-endpoints.js";
import { buildWebhookHandlers } from "../../src/webhooks/handlers.js";
import { createWebhookEndpoint, WEBHOOKS_PATH, type WebhookEndpoint } from "../../src/webhooks/webhook-endpoint.js";

// Tugboat's webhook endpoint over real HTTP, with the production handlers, and the sandbox's GitHub delivering to it.

export const R = { owner: "octo", repo: "github" } as const;

export interface WebhookHarness {
  h: Harness;
  endpoint: WebhookEndpoint;
  port: number;
  /** The real Octokit on the sandbox's GitHub, as the token's user (tugboat-bot). */
  octokit: Octokit;
  /** Every delivery so far answered, and every handler it started finished. */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

export async function startWebhookHarness(opts: HarnessOptions = {}): Promise<WebhookHarness> {
  const h = await startHarness(opts);
  const gh = h.sandbox.github;
  const endpoint = createWebhookEndpoint({ verifier: createWebhookVerifier(gh.webhooks.secret), config: h.config, handlers: buildWebhookHandlers(h.app.services), log: silentLogger, clock: h.app.services.clock });
  const server = await listenOps(endpoint.handle, 0, "127.0.0.1");
  gh.webhooks.addUrl(`http://127.0.0.1:${server.port}${WEBHOOKS_PATH}`);
  return {
    h,
    endpoint,
    port: server.port,
    octokit: new Octokit({ baseUrl: gh.url, auth: gh.token }),
    settled: async () => {
      await gh.webhooks.idle();
      await endpoint.idle();
    },
    stop: async () => {
      await endpoint.stop();
      await server.close();
      await h.stop();
    },
  };
}
