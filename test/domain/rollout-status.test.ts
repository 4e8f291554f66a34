import { expect } from "chai";
import type { V1Deployment, V1Pod } from "../../src/gateways/kube-models.js";
import { podProblems, rolloutState, rolloutSummary } from "../../src/domain/rollout-status.js";
import { FakeCluster } from "../helpers/fake-cluster.js";
import { ManualClock } from "../helpers/manual-clock.js";

// kubectl rollout status's rules over typed Deployments, and following one through the typed informer of the
// in-memory port (the status changes as a controller would write it; the deadline is the clock's).

const NS = "github-staging";

function deployment(status: V1Deployment["status"], generation = 2, replicas = 3): V1Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "unicorn", namespace: NS, generation },
    spec: { replicas, selector: { matchLabels: { app: "unicorn" } }, template: { metadata: { labels: { app: "unicorn" } }, spec: { containers: [{ name: "app", image: "unicorn:1" }] } } },
    status,
  };
}

describe("rollout status", () => {
  it("follows kubectl's order: unobserved spec, progress deadline, refused pods, updated, old pending, available", () => {
    expect(rolloutState(deployment({ observedGeneration: 1 })).message).to.equal("unicorn: waiting for the controller to see the new spec");
    const deadline = { type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded" };
    expect(rolloutState(deployment({ observedGeneration: 2, conditions: [deadline] }))).to.deep.equal({ phase: "failed", message: "unicorn: exceeded its progress deadline" });
    const quota = { type: "ReplicaFailure", status: "True", reason: "FailedCreate", message: 'pods "unicorn-x" is forbidden: exceeded quota' };
    expect(rolloutState(deployment({ observedGeneration: 2, conditions: [quota] })).message).to.equal('unicorn: pods cannot be created (FailedCreate: pods "unicorn-x" is forbidden: exceeded quota)');
    expect(rolloutState(deployment({ observedGeneration: 2, updatedReplicas: 1 })).message).to.equal("unicorn: 1 of 3 updated replicas");
    expect(rolloutState(deployment({ observedGeneration: 2, updatedReplicas: 3, replicas: 4 })).message).to.equal("unicorn: 1 old replicas pending termination");
    expect(rolloutState(deployment({ observedGeneration: 2, updatedReplicas: 3, replicas: 3, availableReplicas: 2 })).message).to.equal("unicorn: 2 of 3 updated replicas available");
    expect(rolloutState(deployment({ observedGeneration: 2, updatedReplicas: 3, replicas: 3, availableReplicas: 3 })).phase).to.equal("done");
    expect(rolloutSummary(deployment({ updatedReplicas: 2, availableReplicas: 1 }))).to.equal("unicorn 2/3 updated · 1/3 available");
  });

  it("names the pods' waiting and terminated reasons that stop a rollout, init containers first", () => {
    const pod: V1Pod = {
      metadata: { name: "unicorn-abc" },
      status: {
        initContainerStatuses: [{ name: "migrate", image: "m", imageID: "", ready: false, restartCount: 0, state: { terminated: { exitCode: 137, reason: "OOMKilled" } } }],
        containerStatuses: [
          { name: "app", image: "a", imageID: "", ready: false, restartCount: 0, state: { waiting: { reason: "ImagePullBackOff" } } },
          { name: "sidecar", image: "s", imageID: "", ready: false, restartCount: 0, state: { waiting: { reason: "ContainerCreating" } } },
        ],
      },
    };
    expect(podProblems(pod)).to.deep.equal(["unicorn-abc (migrate): OOMKilled", "unicorn-abc (app): ImagePullBackOff"]);
  });

  it("a rollout followed through the typed informer ends when the controller's status says so, or at the clock's deadline", async () => {
    const clock = new ManualClock();
    const cluster = new FakeCluster({ clock, objects: [deployment({ observedGeneration: 2, updatedReplicas: 1, replicas: 3 })] });
    const informer = await cluster.deployments.informer({ namespace: NS });
    try {
      const done = informer.waitFor((i) => {
        const state = rolloutState(i.get("unicorn", NS)!);
        return state.phase === "waiting" ? undefined : state;
      }, { timeoutMs: 600_000 });
      const current = (await cluster.deployments.get("unicorn", NS)).status;
      cluster.put(deployment({ ...current, updatedReplicas: 3, replicas: 3, availableReplicas: 3 }));
      expect(await done).to.deep.equal({ phase: "done", message: "unicorn: successfully rolled out" });

      // A new spec the controller never takes up (once the informer has seen it): the deadline ends the wait.
      cluster.put(deployment({ observedGeneration: 2, updatedReplicas: 0 }, 3));
      await new Promise<void>((r) => setImmediate(r));
      const stuck = informer.waitFor((i) => (rolloutState(i.get("unicorn", NS)!).phase === "done" ? true : undefined), { timeoutMs: 600_000 });
      await new Promise<void>((r) => setImmediate(r));
      clock.advance(600_000);
      expect(await stuck).to.equal(undefined);
    } finally {
      informer.stop();
    }
  });
});
