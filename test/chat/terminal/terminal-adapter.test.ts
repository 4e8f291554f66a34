import { expect } from "chai";
import { spawn } from "node:child_process";
import { PassThrough } from "node:stream";
import { TerminalAdapter } from "../../../src/chat/terminal/terminal-adapter.js";
import { Router } from "../../../src/core/router.js";
import { Policy, noGroups } from "../../../src/core/policy.js";
import { defineCommand, type CommandFamily } from "../../../src/core/command.js";
import { silentLogger } from "../../../src/core/logger.js";
import type { Services } from "../../../src/core/services.js";

const family: CommandFamily = {
  name: "demo",
  summary: "demo",
  commands: [
    defineCommand({
      family: "demo",
      verb: "ship",
      summary: "asks first",
      usage: "/demo ship",
      examples: [],
      sideEffects: true,
      parse: () => ({}),
      permission: () => "demo:ship",
      async run(_a, ctx) {
        await ctx.reply.send({ summary: "Shipping 1/2", tone: "info", blocks: [{ type: "progress", items: [{ label: "step", state: "running" }] }] });
        const ok = await ctx.confirm({ summary: "Plan", blocks: [{ type: "text", text: "Plan: ship *everything*" }] });
        await ctx.reply.send({ summary: ok ? "Shipped" : "Cancelled", tone: ok ? "success" : "warning", blocks: [{ type: "text", text: ok ? "Shipped" : "Cancelled" }] });
      },
    }),
  ],
};

async function drive(input: string, opts: { assumeYes?: boolean; interactive?: boolean; user?: string } = {}): Promise<string> {
  const policy = new Policy({ roles: { r: { permissions: ["demo:*"] } }, bindings: [{ role: "r", users: ["UADMIN"], groups: [] }] }, noGroups);
  const router = new Router([family], policy, {} as Services, silentLogger, { record: () => {} });
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  let out = "";
  stdout.on("data", (c) => (out += c));
  const adapter = new TerminalAdapter(router, { input: stdin, output: stdout, actor: { id: opts.user ?? "UADMIN" }, assumeYes: opts.assumeYes ?? false, interactive: opts.interactive ?? false });
  const done = adapter.run();
  stdin.end(input);
  await done;
  return out;
}

describe("terminal adapter", () => {
  it("reads one command per line from piped stdin, prints each reply, and stops at end of input", async () => {
    const out = await drive("help\ndemo ship\n");
    expect(out).to.contain("> help");
    expect(out).to.contain("/demo ship");
    expect(out).to.contain("… Shipping 1/2");
    expect(out).to.contain("Plan: ship everything");
  });
  it("answers N to confirmations when stdin is not a terminal", async () => {
    const out = await drive("demo ship\n");
    expect(out).to.contain("Confirm? [y/N] N (stdin is not a terminal; pass --yes to confirm)");
    expect(out).to.contain("Cancelled");
    expect(out).not.to.contain("Shipped");
  });
  it("echoes piped lines with control characters escaped, and refuses them", async () => {
    const out = await drive("demo ship \u001b]0;pwned\u0007\n");
    expect(out).not.to.contain("\u001b");
    expect(out).to.contain("> demo ship \\u001b]0;pwned\\u0007");
    expect(out).to.match(/control character \(U\+001B\)/);
  });
  it("answers y with --yes", async () => {
    const out = await drive("demo ship\n", { assumeYes: true });
    expect(out).to.contain("Confirm? [y/N] y (--yes)");
    expect(out).to.contain("Shipped");
  });
  it("asks y/N on a terminal and reads the answer", async () => {
    const out = await drive("demo ship\ny\n", { interactive: true });
    expect(out).to.contain("tugboat> ");
    expect(out).to.contain("Shipped");
  });
  it("accepts a command pasted from Slack with the bot's mention in front (@tugboat, <@U…>)", async () => {
    for (const line of ["@tugboat demo ship", "@Tugboat: demo ship", "<@U0TUGBOAT> demo ship", "<@U0TUGBOAT|tugboat> demo ship"]) {
      const out = await drive(`${line}\n`, { assumeYes: true });
      expect(out, line).to.contain("Shipped");
      expect(out, line).not.to.contain("unknown command");
    }
  });
  it("acts as the configured user: nobody else is allowed", async () => {
    const out = await drive("demo ship\n", { user: "USOMEONE" });
    expect(out).to.match(/Denied: .*demo:ship/);
  });
});

describe("npm start with piped stdin (the real bot, against the embedded sandbox)", function () {
  this.timeout(60_000);
  it("says it runs the sandbox, lists every command family, and exits at end of input", async () => {
    const env = { ...process.env };
    for (const k of ["SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "KUBECONFIG", "GITHUB_TOKEN", "GITHUB_APP_ID", "GITHUB_API_URL", "TUGBOAT_CONFIG", "TUGBOAT_CLUSTERS", "TUGBOAT_USER"]) delete env[k];
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], { env, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (err += c));
    child.stdin.end("help\n");
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(code, err).to.equal(0);
    expect(out.split("\n")[0]).to.match(/embedded sandbox/);
    for (const f of ["/kube", "/deploy", "/canary", "/reviewlab", "/nodes"]) expect(out).to.contain(f);
  });
});

describe("SIGTERM", function () {
  this.timeout(60_000);
  it("drains the in-flight command, then exits cleanly", async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, SANDBOX_SPEED: "demo" };
    for (const k of ["SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "KUBECONFIG", "GITHUB_TOKEN", "GITHUB_APP_ID", "GITHUB_API_URL", "TUGBOAT_CONFIG", "TUGBOAT_CLUSTERS", "TUGBOAT_USER"]) delete env[k];
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], { env, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let sent = false;
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    child.stdout.on("data", (c) => {
      out += c;
      // Once the deploy is rolling out, ask the bot to stop: it must finish the deploy first.
      if (!sent && out.includes("Rolling out")) {
        sent = true;
        child.kill("SIGTERM");
      }
    });
    child.stdin.write("/deploy my-branch to staging\n");
    const code = await exited;
    expect(sent, out).to.equal(true);
    expect(code).to.equal(0);
    expect(out).to.match(/Deployed PR #4816 \(663c692\) to github staging/);
  });
});
