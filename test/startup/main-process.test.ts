import { expect } from "chai";
import { createServer, type Server } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSandbox } from "@tugboat/sandbox";
import { TEST_DELAYS } from "@tugboat/sandbox/kube";
import { runMain } from "./run-main.js";

// The real entry point as a new user meets it: piped input, Ctrl-C, a stopped sandbox, a bad Slack token.
describe("src/main.ts as a child process", function () {
  this.timeout(180_000);

  it("answers 2,000 piped mixed commands and exits 0: no stack, no 'write after end', no JSON over the conversation", async () => {
    const mix = [
      "help",
      "/kube get pods -n github-staging",
      "/deploy status",
      "/deploy PR99999 to staging",
      "@tugboat deploy where",
      "/kub get pods",
      "/deploy history",
      "/canary status",
      "/reviewlab list",
      "/nodes list",
      "bogus command",
      "/kube get pods -n github-prod",
    ];
    const lines = Array.from({ length: 2000 }, (_, i) => mix[i % mix.length]!);
    const run = await runMain({ input: lines.join("\n") + "\n" });
    expect(run.code, run.err.slice(-2000)).to.equal(0);
    expect(run.out.match(/^> /gm)).to.have.length(2000);
    for (const text of [run.out, run.err]) {
      expect(text).not.to.contain("write after end");
      expect(text).not.to.match(/\n\s+at /);
      expect(text.split("\n").filter((l) => l.trimStart().startsWith("{"))).to.deep.equal([]);
    }
    // The handled 404 is a friendly line, with nothing logged over it.
    expect(run.out).to.match(/> \/deploy PR99999 to staging\n(… [^\n]*\n)*PR #99999 was not found in octo\/github\.\n/);
    expect(run.err).not.to.contain("github client");
  });

  it("Ctrl-C during a deploy: says it finishes the deploy, finishes it, and says which input was not run", async () => {
    let sent = false;
    const run = await runMain({
      env: { SANDBOX_SPEED: "demo" },
      input: "/deploy my-branch to staging\n/deploy status\n/canary status\n",
      onOutput: (out, child) => {
        if (!sent && out.includes("Rolling out")) {
          sent = true;
          child.kill("SIGINT");
        }
      },
    });
    expect(sent, run.out).to.equal(true);
    expect(run.out).to.contain("Ctrl-C: finishing the running deploy (`/deploy my-branch to staging`)… Press Ctrl-C again to stop at once.");
    expect(run.out).to.match(/Deployed PR #4816 \(663c692\) to github staging/);
    expect(run.out).to.contain("Stopped; not run: 2 more lines of input (`/deploy status`, `/canary status`).");
    expect(run.out).not.to.contain("> /deploy status");
    expect(run.code).to.equal(130);
  });

  it("live mode against a stopped sandbox names what it cannot reach and how to start it", async () => {
    const outDir = mkdtempSync(join(tmpdir(), "tugboat-stopped-"));
    try {
      const sandbox = await startSandbox({ outDir, delays: TEST_DELAYS });
      await sandbox.stop();
      const run = await runMain({ env: sandbox.env, input: "/deploy status\n" });
      expect(run.code, run.err).to.equal(0);
      const [, ...lines] = run.out.split("\n");
      expect(lines[0]).to.equal("Tugboat: not everything this setup names answers:");
      expect(run.out).to.match(/ {2}cluster production: cannot reach the API server of cluster production at \S+ \(ECONNREFUSED\)/);
      expect(run.out).to.match(/ {2}GitHub: octo\/github: cannot reach GitHub at http:\/\/127\.0\.0\.1:\d+ \(connect ECONNREFUSED/);
      expect(run.out).to.contain("start the sandbox with `npm run sandbox`");
      const status = run.out.slice(run.out.indexOf("> /deploy status"));
      expect(status).to.match(/what runs where\nCould not read: production: cannot reach/);
      expect(status).not.to.contain("(no Deployments found)");
      expect(status).not.to.contain("No environment is locked.");
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });

  it("a kubeconfig that cannot be read: one line naming it and what to set, exit 1", async () => {
    const run = await runMain({ env: { KUBECONFIG: "/nonexistent/kubeconfig", GITHUB_TOKEN: "ghp_x", TUGBOAT_CONFIG: "config/sandbox/tugboat.yaml" }, input: "help\n" });
    expect(run.code).to.equal(1);
    expect(run.err).to.match(
      /^tugboat: cannot load the kubeconfig \/nonexistent\/kubeconfig \([^\n]+\): set KUBECONFIG to a kubeconfig with a context for each cluster in config\/sandbox\/tugboat\.yaml\.\n$/,
    );
  });

  it("a start that fails (Slack refuses the token) prints one line saying what to fix, no stack, and exits 1", async () => {
    const outDir = mkdtempSync(join(tmpdir(), "tugboat-slack-refused-"));
    const slack: Server = createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end('{"ok":false,"error":"invalid_auth"}'));
    await new Promise<void>((resolve) => slack.listen(0, "127.0.0.1", resolve));
    const sandbox = await startSandbox({ outDir, delays: TEST_DELAYS });
    try {
      const port = (slack.address() as { port: number }).port;
      const run = await runMain({
        env: { ...sandbox.env, SLACK_BOT_TOKEN: "xoxb-000-bad", SLACK_APP_TOKEN: "xapp-000-bad", SLACK_API_URL: `http://127.0.0.1:${port}/api/`, PORT: "0" },
      });
      expect(run.code).to.equal(1);
      // In Slack mode stderr also carries the JSON log; the failure is the one line that is not.
      const errLines = run.err.trim().split("\n").filter((l) => !l.startsWith("{"));
      expect(errLines, run.err).to.have.length(1);
      expect(run.err).not.to.match(/\n\s+at /);
      expect(errLines[0]).to.match(/^tugboat: Slack refused the bot token at startup \(auth\.test: .*invalid_auth.*\)\. Check SLACK_BOT_TOKEN/);
      expect(run.err).not.to.contain("xoxb-000-bad");
    } finally {
      await sandbox.stop();
      await new Promise((resolve) => slack.close(resolve));
      rmSync(outDir, { recursive: true, force: true });
    }
  });
});
