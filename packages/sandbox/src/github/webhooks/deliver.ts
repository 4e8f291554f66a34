// Webhook delivery as GitHub's "Hookshot" does it: one POST per hook URL and event, JSON body, signed with the hook's
// secret (X-Hub-Signature-256, and the legacy SHA-1 X-Hub-Signature), a fresh X-GitHub-Delivery GUID, 10 s to answer.
// Deliveries to one URL go out in the order the changes happened. Each is recorded, for tests and `npm run sandbox`.
import { createHmac, randomUUID } from "node:crypto";

export interface Delivery {
  id: string;
  event: string;
  action?: string;
  url: string;
  payload: Record<string, unknown>;
  /** The receiver's HTTP status, or undefined while sending or when it did not answer. */
  status?: number;
  error?: string;
}

export interface WebhookSenderOptions {
  secret: string;
  urls?: string[];
  /** Told about every finished delivery (npm run sandbox prints them). */
  onDelivered?: (d: Delivery) => void;
  timeoutMs?: number;
}

/** GitHub's delivery log keeps deliveries for a while; the sandbox keeps the last ones. */
const KEEP = 500;
export const HOOK_ID = 470_001;

export class WebhookSender {
  readonly deliveries: Delivery[] = [];
  /** Told about every finished delivery (npm run sandbox prints them). */
  onDelivered?: (d: Delivery) => void;
  private readonly urls: string[];
  private readonly queues = new Map<string, Promise<void>>();
  private stopped = false;

  constructor(private readonly opts: WebhookSenderOptions) {
    this.urls = [...(opts.urls ?? [])];
    this.onDelivered = opts.onDelivered;
  }

  get secret(): string {
    return this.opts.secret;
  }

  get targets(): readonly string[] {
    return this.urls;
  }

  addUrl(url: string): void {
    const parsed = new URL(url);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error(`a webhook URL must be http(s): ${url}`);
    if (!this.urls.includes(url)) this.urls.push(url);
  }

  removeUrl(url: string): void {
    const i = this.urls.indexOf(url);
    if (i >= 0) this.urls.splice(i, 1);
  }

  send(event: string, payload: Record<string, unknown>): void {
    if (this.stopped) return;
    const body = JSON.stringify(payload);
    for (const url of this.urls) {
      const d: Delivery = { id: randomUUID(), event, action: typeof payload.action === "string" ? payload.action : undefined, url, payload };
      this.deliveries.push(d);
      if (this.deliveries.length > KEEP) this.deliveries.shift();
      const previous = this.queues.get(url) ?? Promise.resolve();
      const next = previous.then(() => this.post(d, body));
      this.queues.set(url, next);
    }
  }

  /** Resolves when every delivery queued so far has been answered or has failed. */
  async idle(): Promise<void> {
    for (;;) {
      const snapshot = [...this.queues.values()];
      await Promise.all(snapshot);
      const now = [...this.queues.values()];
      if (now.length === snapshot.length && now.every((p, i) => p === snapshot[i])) return;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.idle();
  }

  private async post(d: Delivery, body: string): Promise<void> {
    try {
      const res = await fetch(d.url, {
        method: "POST",
        body,
        headers: {
          "content-type": "application/json",
          "user-agent": "GitHub-Hookshot/sandbox",
          "x-github-event": d.event,
          "x-github-delivery": d.id,
          "x-github-hook-id": String(HOOK_ID),
          "x-github-hook-installation-target-type": "repository",
          "x-hub-signature": `sha1=${createHmac("sha1", this.opts.secret).update(body).digest("hex")}`,
          "x-hub-signature-256": `sha256=${createHmac("sha256", this.opts.secret).update(body).digest("hex")}`,
        },
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
      });
      d.status = res.status;
      await res.arrayBuffer().catch(() => undefined);
    } catch (err) {
      d.error = err instanceof Error ? err.message : String(err);
    }
    this.onDelivered?.(d);
  }
}
