import { Webhooks } from "@octokit/webhooks";

// The signature check of GitHub webhook deliveries (repository, organization and GitHub App webhooks alike), done by
// @octokit/webhooks: "sha256=" + hex HMAC-SHA256 of the raw body with the shared secret, compared in constant time.
// Its shape is the one src/webhooks/webhook-endpoint.ts asks for (WebhookVerifier).

export function createWebhookVerifier(secret: string): { verify(rawBody: string, signature: string | undefined): Promise<boolean> } {
  if (!secret) throw new Error("a webhook secret is required");
  const webhooks = new Webhooks({ secret });
  return {
    async verify(rawBody, signature) {
      if (!rawBody || !signature) return false;
      // It throws only for missing arguments, checked above; anything else it reports as false.
      return webhooks.verify(rawBody, signature).catch(() => false);
    },
  };
}
