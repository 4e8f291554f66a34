import { expect } from "chai";
import { FakeCluster } from "../../helpers/fake-cluster.js";
import { ManualClock, eventually } from "../../helpers/manual-clock.js";
import { loadConfigFile } from "../../../src/config/load-config.js";
import { silentLogger } from "../../../src/core/logger.js";
import type { DeploymentRecord, DeploymentStatusInput, GithubGateway, KObject, KubeGateway, PullRequest } from "../../../src/gateways/types.js";
import { deploy, type DeployDeps } from "../../../src/domain/deploy/deploy-use-case.js";
import type { DeployEvent } from "../../../src/domain/deploy/deploy-events.js";

// The deploy use case on the in-memory port and a manual clock: no sandbox, no chat, no wall-clock waits. The test
// plays the Deployment controller (it writes the canary's status) or, by not doing so, lets the canary time out.

const START = Date.parse("2026-03-01T12:00:00Z");
const SHA = "eed486a1e3c237947f6d05a688220f3d3d81f035";
const MAIN = "0c6121e4cc22cb1339ba8e9694640db55a1c1b31";
const NS = "github-production";

function stable(): KObject {
  const labels = { app: "unicorn" };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "unicorn", namespace: NS, labels, generation: 3 },
    spec: { replicas: 3, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: "unicorn", image: `registry.example.com/github:${MAIN}` }] } } },
    status: { observedGeneration: 3, replicas: 3, updatedReplicas: 3, availableReplicas: 3, readyReplicas: 3 },
  };
}

function setup() {
  const clock = new ManualClock(START);
  const cluster = new FakeCluster({ name: "production", clock, objects: [stable()] });
  const statuses: Array<DeploymentStatusInput["state"]> = [];
  const pr: PullRequest = { number: 4812, title: "Make unicorn faster", author: "octocat", state: "open", merged: false, headSha: SHA, headRef: "faster", baseRef: "main", url: "https://github.example.com/octo/github/pull/4812" };
  // Only what a canary start calls on GitHub.
  const github = {
    getPull: async () => pr,
    // What changed: the target is one commit ahead of what runs, on the default branch.
    isOnDefaultBranch: async () => ({ onDefault: true, defaultBranch: "main" }),
    compareCommits: async () => ({ status: "ahead", aheadBy: 1, behindBy: 0, url: "https://github.example.com/octo/github/compare/x...y", commits: [{ sha: SHA, message: "Make unicorn faster", author: "octocat" }] }),
    // CI's own statuses, by the sandbox CI App's bot account (the sandbox config's apps.github.imageTrust).
    listContextReports: async (_repo: string, _sha: string, contexts: string[]) => contexts.map((context) => ({ context, state: "success" as const, by: { kind: "user" as const, login: "sandbox-ci[bot]", bot: true } })),
    createDeployment: async (): Promise<DeploymentRecord> => ({ id: 41, sha: SHA, ref: SHA, environment: "canary", creator: "tugboat", createdAt: new Date(START).toISOString(), payload: {} }),
    createDeploymentStatus: async (_repo: string, _id: number, s: DeploymentStatusInput) => void statuses.push(s.state),
  } as Partial<GithubGateway> as GithubGateway;
  const kube: KubeGateway = { clusterNames: () => ["production"], cluster: () => cluster, actingFor: () => kube };
  const config = loadConfigFile("config/sandbox/tugboat.yaml");
  const events: DeployEvent[] = [];
  const deps: DeployDeps = {
    config,
    kube,
    github,
    clock,
    log: silentLogger,
    audit: () => {},
    emit: (e) => void events.push(e),
    instanceId: "test",
    signal: new AbortController().signal,
    confirm: async () => false,
  };
  const input = { app: "github", env: "canary", target: { kind: "pr" as const, number: 4812 }, actor: "UOWNER", channel: "CDEPLOYS", requestId: "r1", dryRun: false, force: false };
  const canary = () => cluster.objects("deployments", NS).find((d) => d.metadata?.name === "unicorn-canary");
  return { clock, cluster, config, deps, input, events, statuses, canary };
}

const kinds = (events: DeployEvent[]) => events.map((e) => e.type).filter((t, i, all) => i === 0 || all[i - 1] !== t);

describe("deploy use case on the in-memory port (canary start)", () => {
  it("applies the canary next to the stable Deployment and succeeds once it is available", async () => {
    const { cluster, deps, input, events, statuses, canary } = setup();
    const running = deploy(input, deps);
    await eventually("the canary applied", () => canary() !== undefined);
    // The Deployment controller's part: the canary's one pod is up.
    cluster.put({ ...canary()!, status: { observedGeneration: 0, replicas: 1, updatedReplicas: 1, availableReplicas: 1, readyReplicas: 1 } });
    expect(await running).to.equal("success");
    expect(kinds(events)).to.deep.equal(["resolving", "resolved", "planned", "lock-taken", "applying", "github-deployment-created", "rollout-progress", "succeeded"]);
    expect(canary()?.spec?.template?.spec?.containers?.[0]?.image).to.equal(`registry.example.com/github:${SHA}`);
    expect(cluster.objects("deployments", NS).find((d) => d.metadata?.name === "unicorn")).to.deep.include({ spec: stable().spec });
    expect(statuses).to.deep.equal(["in_progress", "success"]);
    expect(cluster.objects("leases", NS), "the lock is released").to.deep.equal([]);
  });

  it("removes the canary when it is not available within canaryReadySeconds (manual clock, no waiting)", async () => {
    const { clock, cluster, config, deps, input, events, statuses, canary } = setup();
    const running = deploy(input, deps);
    const readyMs = config.deploy.canaryReadySeconds * 1000;
    // Applied, and the rollout's deadline is set on the clock: move past it.
    await eventually("the canary followed", () => canary() !== undefined && clock.pending().includes(readyMs));
    clock.advance(readyMs);
    expect(await running).to.equal("rolled-back");
    expect(kinds(events).slice(-3)).to.deep.equal(["rollout-progress", "rolling-back", "rolled-back"]);
    const last = events.at(-1) as Extract<DeployEvent, { type: "rolled-back" }>;
    expect(last.reason).to.match(new RegExp(`^the canary did not finish within ${config.deploy.canaryReadySeconds}s`));
    expect(last.undo).to.equal("Aborted the canary: removed unicorn-canary; production is untouched.");
    expect(canary()).to.equal(undefined);
    expect(cluster.objects("deployments", NS).map((d) => d.metadata?.name)).to.deep.equal(["unicorn"]);
    expect(statuses).to.deep.equal(["in_progress", "failure"]);
  });
});
