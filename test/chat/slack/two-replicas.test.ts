import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { loadConfigFile } from "../../../src/config/load-config.js";
import type { TugboatConfig } from "../../../src/config/schema.js";
import { startSandbox, type Sandbox } from "@tugboat/sandbox";
import { TEST_DELAYS } from "@tugboat/sandbox/kube";
import { buttonPressBody, eventBody, postSigned, slashCommandBody } from "./helpers/signed-request.js";
import { SlackStandIn, type RecordedCall } from "./helpers/slack-stand-in.js";
import { clockAhead, startChildReplica, startReplica, type Replica } from "./helpers/replica.js";

// Two bot replicas on one sandbox, Slack's requests alternating between them: a Confirm pressed on the other
// replica runs the command, a retried event reaching the other replica runs nothing twice, and a replica killed
// (kill -9) before the press or mid-rollout leaves nothing half done.

const FORM = "application/x-www-form-urlencoded";
const REPO = "octo/github";
const LEASE_SECONDS = 2;
const LOCK_SECONDS = 3;

/** Polls (integration test: other processes and timers move on their own). */
async function until(check: () => boolean, timeoutMs: number, what: string | (() => string)): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${typeof what === "string" ? what : what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function promptOf(call: RecordedCall): { id: string; ts: string } | undefined {
  const actions = (call.args.blocks ?? []).find((b: any) => b.type === "actions");
  const button = actions?.elements?.find((e: any) => e.action_id === "tugboat_confirm");
  return button ? { id: button.value, ts: call.result.ts } : undefined;
}

describe("two Tugboat replicas (HTTP mode) on one sandbox", function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let standIn: SlackStandIn;
  let config: TugboatConfig;
  let configPath: string;
  let dir: string;
  const replicas: Replica[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "tugboat-replicas-"));
    sandbox = await startSandbox({ outDir: dir, delays: TEST_DELAYS });
    standIn = await new SlackStandIn().start();
    const raw = parse(readFileSync(sandbox.configPath, "utf8"));
    raw.coordination = { namespace: "default", leaseSeconds: LEASE_SECONDS };
    // These deploys to production are about replicas, not the two-person rule (test/chat/slack/approval-buttons.test.ts).
    for (const env of Object.values(raw.environments as Record<string, { approvals?: unknown }>)) delete env.approvals;
    raw.deploy = { ...raw.deploy, lockLeaseSeconds: LOCK_SECONDS };
    configPath = join(dir, "tugboat.yaml");
    writeFileSync(configPath, stringify(raw));
    config = loadConfigFile(configPath);
  });
  afterEach(async () => {
    await Promise.allSettled(replicas.splice(0).map((r) => r.stop()));
    standIn.reset();
  });
  after(async () => {
    await standIn.stop();
    await sandbox.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async (name: string, extra: Partial<Parameters<typeof startReplica>[0]> = {}) => {
    const r = await startReplica({ name, sandbox, config, standIn, ...extra });
    replicas.push(r);
    return r;
  };
  // A trigger_id Slack would honour: a single bot would open the production modal with it.
  const slash = (url: string, text: string, id: string) =>
    postSigned(url, slashCommandBody({ command: "/deploy", text, user_id: "UADMIN", channel_id: "CDEPLOYS", response_url: standIn.responseUrl(id), trigger_id: standIn.issueTrigger() }), FORM);
  // Each press its own response_url: two identical signed bodies within a second are a replay, and dropped.
  const press = (url: string, prompt: { id: string; ts: string }, userId = "UADMIN", responseId = `press-${prompt.ts}-${userId}`) =>
    postSigned(url, buttonPressBody({ actionId: "tugboat_confirm", value: prompt.id, userId, channel: "CDEPLOYS", messageTs: prompt.ts, responseUrl: standIn.responseUrl(responseId) }), FORM);
  const waitForPrompt = async () => {
    await standIn.waitFor(() => standIn.callsTo("chat.postMessage").some((c) => promptOf(c)), 15_000, "the Confirm/Cancel prompt");
    return promptOf(standIn.callsTo("chat.postMessage").find((c) => promptOf(c))!)!;
  };
  const deployments = (env: string) => sandbox.github.store.deployments(REPO).filter((d: any) => d.environment === env);
  const statesOf = (id: number) => sandbox.github.store.deploymentStatuses(REPO, id).map((s: any) => s.state);
  const updatesOf = (ts: string) => standIn.callsTo("chat.update").filter((c) => c.args.ts === ts).map((c) => String(c.args.text));

  it("a Confirm pressed on the other replica runs the command on the one that asked, once", async () => {
    const a = await start("replica-a");
    const b = await start("replica-b");
    const before = deployments("production").length;
    expect((await slash(a.eventsUrl, "PR4812 to production", "cmd-1")).status).to.equal(200);
    const prompt = await waitForPrompt();
    // Not a modal, whose answer only the opening replica could take: the shared buttons.
    expect(standIn.callsTo("views.open")).to.deep.equal([]);
    // A second press, of another user, on replica A: refused; the asker's on replica B: taken.
    const refused = await press(a.eventsUrl, prompt, "UVIEWER");
    expect(refused.status).to.equal(200);
    expect((await press(b.eventsUrl, prompt)).status).to.equal(200);
    await standIn.waitFor(() => updatesOf(prompt.ts).some((t) => t.includes("Confirmed by")), 10_000, "the prompt saying who confirmed");
    await until(() => a.audit.some((e) => e.command.includes("deploy")), 30_000, "the deploy to finish on replica A");
    expect(a.audit.find((e) => e.command.includes("deploy"))!.outcome).to.equal("success");
    expect(b.audit).to.deep.equal([]);
    expect(deployments("production").length).to.equal(before + 1);
    // A late press on either replica: no longer open.
    await press(a.eventsUrl, prompt, "UADMIN", "late-a");
    await press(b.eventsUrl, prompt, "UADMIN", "late-b");
    await until(() => standIn.responses.filter((r) => String(r.payload.text).includes("no longer open")).length >= 2, 5000, () => `two "no longer open" answers: ${JSON.stringify(standIn.responses.map((r) => r.payload.text))}`);
    expect(standIn.responses.some((r) => String(r.payload.text).includes("Only <@UADMIN> can confirm this"))).to.equal(true);
    expect(deployments("production").length).to.equal(before + 1);
  });

  it("two presses at once on the two replicas: one answer wins, the command runs once", async () => {
    const a = await start("replica-a");
    const b = await start("replica-b");
    const before = deployments("production").length;
    await slash(b.eventsUrl, "PR4812 to production", "cmd-2");
    const prompt = await waitForPrompt();
    const cancel = postSigned(a.eventsUrl, buttonPressBody({ actionId: "tugboat_cancel", value: prompt.id, userId: "UADMIN", channel: "CDEPLOYS", messageTs: prompt.ts, responseUrl: standIn.responseUrl("p-a") }), FORM);
    const confirm = press(b.eventsUrl, prompt);
    await Promise.all([cancel, confirm]);
    await until(() => b.audit.some((e) => e.command.includes("deploy")), 30_000, "the deploy's end on replica B");
    const lines = updatesOf(prompt.ts).filter((t) => /Confirmed by|Cancelled by/.test(t));
    expect(lines).to.have.length(1);
    const ran = deployments("production").length - before;
    expect(ran).to.equal(lines[0]!.includes("Confirmed") ? 1 : 0);
  });

  it("a Slack retry of an event delivered to the other replica runs nothing twice", async () => {
    const a = await start("replica-a");
    const b = await start("replica-b");
    const body = eventBody("Ev0TWOREPLICAS", { type: "app_mention", user: "UADMIN", text: "<@UBOT> deploy status github", channel: "CDEPLOYS", ts: "1700000000.000100", event_ts: "1700000000.000100" });
    expect((await postSigned(a.eventsUrl, body, "application/json")).status).to.equal(200);
    // Slack's retry comes with a new signature timestamp and X-Slack-Retry-Num, to whichever replica.
    const retry = await postSigned(b.eventsUrl, body, "application/json", { timestamp: Math.floor(Date.now() / 1000) + 1, headers: { "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" } });
    expect(retry.status).to.equal(200);
    await until(() => a.audit.length + b.audit.length >= 1, 10_000, "the status command");
    await a.app.router.drain(5000);
    await b.app.router.drain(5000);
    expect(a.audit.length + b.audit.length).to.equal(1);
    expect(a.audit).to.have.length(1);
    expect(b.logs.some((l) => l.message === "ignored a retried Slack event")).to.equal(true);
  });

  it("kill -9 of the asking replica before the press: the other replica's press closes the prompt, nothing was done", async () => {
    const a = await startChildReplica({ sandbox, configPath, standIn });
    const before = deployments("production").length;
    const b = await start("replica-b", { clock: clockAhead((LEASE_SECONDS + 1) * 1000) });
    await slash(a.eventsUrl, "PR4812 to production", "cmd-3");
    const prompt = await waitForPrompt();
    await a.kill9();
    expect((await press(b.eventsUrl, prompt)).status).to.equal(200);
    await until(() => updatesOf(prompt.ts).some((t) => t.includes("nothing was done")), 10_000, () => `the prompt closed by replica B: ${a.output().slice(-3000)} ${JSON.stringify(b.logs.slice(-15))} ${JSON.stringify(standIn.responses.map((r) => r.payload.text))}`);
    expect(updatesOf(prompt.ts).join("\n")).to.include("The Tugboat replica that asked for this stopped before the answer");
    expect(deployments("production").length).to.equal(before);
    expect(b.audit).to.deep.equal([]);
  });

  for (const who of ["the leader", "a follower"] as const) {
    it(`kill -9 mid-rollout of a broken image (the killed replica is ${who}): the other leads, rolls back, marks the GitHub deployment, and the next deploy proceeds`, async () => {
      // The follower case: replica B leads from the start (real clock) and finds the dead follower's deploy on a
      // later round; the leader case: B starts after the kill with its clock past the dead replica's leases.
      const bFirst = who === "a follower" ? await start("replica-b", { background: true }) : undefined;
      const a = await startChildReplica({ sandbox, configPath, standIn });
      await slash(a.eventsUrl, "PR4813 to staging --force", `cmd-4-${who}`);
      // Killed once the broken image is applied (the replica is following its rollout), before it could roll back.
      const applied = () => sandbox.clusters.staging!.listObjects("apps/v1", "Deployment", "github-staging").filter((d: any) => d.metadata.annotations?.["tugboat.dev/pr"] === "4813");
      await until(() => applied().length > 0, 20_000, () => `the broken image applied: ${a.output()}`);
      const [stuck] = deployments("staging").sort((x: any, y: any) => y.id - x.id);
      await a.kill9();
      expect(statesOf(stuck.id).at(-1)).to.equal("in_progress");
      expect(a.output()).not.to.include("rolled-back");
      const b = bFirst ?? (await start("replica-b", { clock: clockAhead((LOCK_SECONDS + LEASE_SECONDS + 1) * 1000), background: true }));
      await until(() => b.audit.some((e) => e.details?.recovery === true), 30_000, "replica B's recovery");
      const entry = b.audit.find((e) => e.details?.recovery === true)!;
      expect(entry.outcome).to.equal("rolled-back");
      expect(entry.details?.githubDeployment).to.equal(stuck.id);
      expect(statesOf(stuck.id).at(-1)).to.equal("error");
      const images = sandbox.clusters.staging!.listObjects("apps/v1", "Deployment", "github-staging").map((d: any) => d.spec.template.spec.containers[0].image);
      expect(images.every((i: string) => !i.endsWith(stuck.sha))).to.equal(true);
      await until(() => standIn.callsTo("chat.postMessage").some((c) => c.args.channel === "CDEPLOYS" && /Tugboat restarted during the deploy/.test(String(c.args.text))), 5000, "the post to the deploy's channel");
      // The lock is free again: the next deploy, on replica B, goes through.
      await slash(b.eventsUrl, "PR4812 to staging", `cmd-5-${who}`);
      await until(() => b.audit.some((e) => e.command.includes("deploy PR4812")), 30_000, "the next deploy");
      expect(b.audit.find((e) => e.command.includes("deploy PR4812"))!.outcome).to.equal("success");
    });
  }

  it("kill -9 while a review lab comes up: the leader marks its GitHub deployment error, tells the channel and audits it; the lab stays for /reviewlab down", async () => {
    const a = await startChildReplica({ sandbox, configPath, standIn });
    sandbox.clusters.staging!.setDelays({ podReadyMs: 60_000 });
    try {
      const up = slashCommandBody({ command: "/reviewlab", text: "up my-branch", user_id: "UDEPLOYER", channel_id: "CGITHUB", channel_name: "github", response_url: standIn.responseUrl("lab-1") });
      expect((await postSigned(a.eventsUrl, up, FORM)).status).to.equal(200);
      const lab = () => sandbox.clusters.staging!.listObjects("v1", "Namespace").find((n: any) => n.metadata.labels?.["tugboat.dev/review-lab"] === "true" && n.metadata.annotations?.["tugboat.dev/branch"] === "my-branch");
      const labDeployment = () => sandbox.github.store.deployments(REPO).filter((d: any) => String(d.environment).startsWith("review-lab")).sort((x: any, y: any) => y.id - x.id)[0];
      await until(() => Boolean(lab()) && statesOf(labDeployment()?.id ?? 0).at(-1) === "in_progress", 20_000, () => `the lab half up: ${a.output()}`);
      const stuck = labDeployment();
      await a.kill9();
      const b = await start("replica-b", { clock: clockAhead((LEASE_SECONDS + 1) * 1000), background: true });
      await until(() => b.audit.some((e) => e.details?.recovery === true), 30_000, "replica B's recovery");
      const entry = b.audit.find((e) => e.details?.recovery === true)!;
      expect(entry.details).to.include({ githubDeployment: stuck.id, namespace: lab()!.metadata.name });
      expect(statesOf(stuck.id).at(-1)).to.equal("error");
      expect(lab()).to.not.equal(undefined);
        await until(() => standIn.callsTo("chat.postMessage").some((c) => c.args.channel === "CGITHUB" && /Tugboat restarted while bringing up the review lab/.test(String(c.args.text))), 5000, "the post to the lab's channel");
    } finally {
      sandbox.clusters.staging!.setDelays({ podReadyMs: TEST_DELAYS.podReadyMs });
    }
  });
});
