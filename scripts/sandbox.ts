// `npm run sandbox`: the embedded Kubernetes and GitHub APIs, kept running until interrupted, with
// .sandbox/kubeconfig and .sandbox/env written for kubectl and for a Tugboat started in any mode.
import { startSandbox } from "@tugboat/sandbox";
import { SandboxBusyError } from "@tugboat/sandbox";
import { DEMO_DELAYS } from "@tugboat/sandbox/kube";

function port(name: string): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return 0;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    process.stderr.write(`sandbox: ${name} must be a port number, not "${raw}"\n`);
    process.exit(2);
  }
  return n;
}

/** SANDBOX_WEBHOOK_URL: where the sandbox's GitHub delivers webhooks (comma-separated), e.g. a Tugboat's endpoint. */
function webhookUrls(): string[] {
  const urls = (process.env.SANDBOX_WEBHOOK_URL ?? "").split(",").map((u) => u.trim()).filter(Boolean);
  for (const url of urls) {
    if (!/^https?:\/\/[^\s]+$/.test(url)) {
      process.stderr.write(`sandbox: SANDBOX_WEBHOOK_URL must be http(s) URLs, not "${url}"\n`);
      process.exit(2);
    }
  }
  return urls;
}

// Refuses while another running sandbox owns .sandbox/: that one's kubeconfig and env must stay true.
const sandbox = await startSandbox({
  webhookUrls: webhookUrls(),
  delays: DEMO_DELAYS,
  kubePort: port("SANDBOX_KUBE_PORT"),
  githubPort: port("SANDBOX_GITHUB_PORT"),
  owner: "npm run sandbox",
  whenBusy: "refuse",
  outDir: process.env.SANDBOX_DIR || undefined,
}).catch((err: unknown) => {
  // One line that says what is wrong (a busy .sandbox/, a port in use), not a stack.
  process.stderr.write(`sandbox: ${err instanceof SandboxBusyError ? "" : "could not start: "}${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

// Ctrl-C (SIGINT to the whole process group) or SIGTERM: stop the servers, say so in one line, exit 0. A second
// signal while stopping changes nothing. Listening before the banner: a Ctrl-C right after it is not a silent kill.
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  try {
    await sandbox.stop();
  } catch (err) {
    process.stderr.write(`sandbox: stopped, but not cleanly: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
  process.stdout.write("Tugboat sandbox stopped.\n");
  process.exit(0);
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());

const clusters = Object.entries(sandbox.clusters)
  .map(([name, c]) => `  ${name.padEnd(11)} ${c.url}`)
  .join("\n");
process.stdout.write(`Tugboat sandbox running.
Kubernetes API servers (kubeconfig contexts):
${clusters}
GitHub API: ${sandbox.github.url} (token ${sandbox.github.token})
Webhooks: ${sandbox.github.webhooks.targets.length > 0 ? sandbox.github.webhooks.targets.join(", ") : "none (set SANDBOX_WEBHOOK_URL, or list URLs in .sandbox/webhook-urls)"}, signed with GITHUB_WEBHOOK_SECRET from the env file; CI sets ci/image on pushed commits

Wrote ${sandbox.kubeconfigPath} and ${sandbox.envPath}.
  kubectl --kubeconfig ${sandbox.kubeconfigPath} get pods -A -w
  kubectl --kubeconfig ${sandbox.kubeconfigPath} --context production get deploy -n github-production -o wide
  . ${sandbox.envPath} && npm start                      # Tugboat in the terminal, against this sandbox
  . ${sandbox.envPath} && PORT=3000 npm start            # ...with POST /github/webhooks on 3000 (SANDBOX_WEBHOOK_URL=http://127.0.0.1:3000/github/webhooks)
  . ${sandbox.envPath} && SLACK_BOT_TOKEN=... SLACK_APP_TOKEN=... npm start   # or connected to Slack
Press Ctrl-C to stop.
`);

// Each delivery, one line: the sandbox runs for people watching what GitHub would send.
sandbox.github.webhooks.onDelivered = (d) =>
  process.stdout.write(`webhook ${d.event}${d.action ? `.${d.action}` : ""} → ${d.url}: ${d.status ?? d.error}\n`);
