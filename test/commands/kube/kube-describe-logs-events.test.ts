import { expect } from "chai";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { codeBlock, kubectl, output, sameAsKubectl } from "./kube-helpers.js";

// describe (kubectl's per-type and generic describers, with the object's Events), logs and events through the router.

function iso(msAgo: number): string {
  return new Date(Date.now() - msAgo).toISOString().replace(/\.\d+Z$/, "Z");
}

describe("/kube describe, logs and events", function () {
  this.timeout(60_000);
  let h: Harness;
  let pod: string;
  before(async () => {
    h = await startHarness();
    const staging = h.sandbox.clusters.staging!;
    pod = staging
      .listObjects("v1", "Pod", "github-staging")
      .map((p: any) => p.metadata.name as string)
      .find((n: string) => /^unicorn-[a-z0-9]+-[a-z0-9]+$/.test(n))!;
    const deploy = staging.getObject("apps/v1", "Deployment", "github-staging", "unicorn");
    const event = (name: string, kind: string, obj: string, uid: string | undefined, reason: string, message: string, first: number, last: number, count: number, type = "Normal") => ({
      apiVersion: "v1",
      kind: "Event",
      metadata: { name, namespace: "github-staging" },
      involvedObject: { apiVersion: kind === "Pod" ? "v1" : "apps/v1", kind, name: obj, namespace: "github-staging", uid },
      reason,
      message,
      type,
      source: { component: kind === "Pod" ? "kubelet" : "deployment-controller" },
      firstTimestamp: iso(first),
      lastTimestamp: iso(last),
      count,
    });
    staging.putObject(event("unicorn.a1", "Deployment", "unicorn", deploy.metadata.uid, "ScalingReplicaSet", "Scaled up replica set unicorn-5ccf6fb6f7 to 2", 3 * 3600_000, 2 * 3600_000, 1));
    staging.putObject(event("unicorn.a2", "Deployment", "unicorn", deploy.metadata.uid, "ScalingReplicaSet", "Scaled down replica set unicorn-old to 0  ", 90 * 60_000, 20 * 60_000, 4));
    staging.putObject(event(`${pod}.b1`, "Pod", pod, undefined, "BackOff", "Back-off pulling image", 50 * 60_000, 45 * 60_000, 1, "Warning"));
  });
  after(async () => {
    await h?.stop();
  });

  describe("describe", () => {
    it("a CRD object prints exactly what kubectl describe prints", async () => {
      const t = await h.run("/kube describe md general -n default --cluster production", { user: "UVIEWER" });
      const k = await kubectl(h, "production", ["describe", "md", "general", "-n", "default"]);
      expect(sameAsKubectl(output(t), k.stdout), `${output(t)}\n---\n${k.stdout}`).to.equal(true);
    });

    it("has kubectl-style sections and the object's Events, oldest first", async () => {
      const t = await h.run("/kube describe deploy unicorn -n github-staging", { user: "UVIEWER" });
      const text = output(t);
      expect(text).to.match(/^Name:\s+unicorn\nNamespace:\s+github-staging\nCreationTimestamp:\s+\w{3}, \d\d \w{3} \d{4} [\d:]{8} \+0000\nLabels:\s+app=unicorn\n/);
      for (const section of ["Annotations:", "Replicas:", "StrategyType:", "Pod Template:", "NewReplicaSet:"]) expect(text).to.contain(section);
      const events = text.slice(text.indexOf("\nEvents:"));
      expect(events).to.match(/\n  Type\s+Reason\s+Age\s+From\s+Message\n  ----\s+------\s+----\s+----\s+-------\n/);
      expect(events).to.match(/Normal\s+ScalingReplicaSet\s+3h\s+deployment-controller\s+Scaled up replica set unicorn-5ccf6fb6f7 to 2\n/);
      expect(events).to.match(/Normal\s+ScalingReplicaSet\s+20m \(x4 over 90m\)\s+deployment-controller\s+Scaled down replica set unicorn-old to 0$/);
      expect(events).to.not.contain("BackOff");
      expect(t.final?.blocks[0]).to.deep.equal({ type: "context", text: "cluster: staging · namespace: github-staging" });
      // The Events section is the same DescribeEvents kubectl's deployment describer prints.
      const k = await kubectl(h, "staging", ["describe", "deploy", "unicorn", "-n", "github-staging"]);
      const theirs = k.stdout.slice(k.stdout.indexOf("\nEvents:") + 1);
      expect(sameAsKubectl(events.slice(1), theirs), `${events}\n---\n${theirs}`).to.equal(true);
    });

    it("works for cluster-scoped types and TYPE/NAME", async () => {
      const nodeName = h.sandbox.clusters.production!.listObjects("v1", "Node")[0].metadata.name;
      const t = await h.run(`/kube describe node/${nodeName} --cluster production`, { user: "UVIEWER" });
      expect(output(t)).to.match(new RegExp(`^Name:\\s+${nodeName.replace(/\./g, "\\.")}\\nRoles:\\s+`));
      expect(t.final?.blocks[0]).to.deep.equal({ type: "context", text: "cluster: production" });
    });
  });

  describe("logs", () => {
    it("defaults to the first container (saying so) and the last 50 lines", async () => {
      const t = await h.run(`/kube logs ${pod} -n github-staging`, { user: "UVIEWER" });
      const ctx = t.final?.blocks[0];
      expect(ctx && ctx.type === "context" && ctx.text).to.equal(
        `cluster: staging · namespace: github-staging · pod: ${pod} · container: unicorn · defaulted container "unicorn" out of: unicorn, statsd`,
      );
      expect(output(t).split("\n").length).to.be.at.most(50);
      expect(output(t)).to.match(/^method=GET/);
    });

    it("--tail, -c, --since and pod/NAME", async () => {
      const tail = await h.run(`/kube logs ${pod} -n github-staging --tail 3`, { user: "UVIEWER" });
      expect(codeBlock(tail).split("\n")).to.have.length(3);
      const statsd = await h.run(`/kube logs pod/${pod} -n github-staging -c statsd --tail 2 --since 10m`, { user: "UVIEWER" });
      expect(codeBlock(statsd).split("\n")).to.have.length(2);
      expect(codeBlock(statsd)).to.contain("level=info");
      const k = await kubectl(h, "staging", ["logs", pod, "-n", "github-staging", "-c", "statsd", "--tail", "2"]);
      expect(k.stdout.split("\n").filter(Boolean)).to.have.length(2);
    });

    it("a missing pod suggests the nearest; a missing container is one line", async () => {
      const t = await h.run("/kube logs unicorn -n github-staging", { user: "UVIEWER" });
      expect(t.text).to.match(/^pods "unicorn" not found in namespace github-staging on cluster staging\. Did you mean `unicorn-/);
      const c = await h.run(`/kube logs ${pod} -c nope -n github-staging`, { user: "UVIEWER" });
      expect(c.final?.tone).to.equal("error");
      expect(c.text).to.contain("nope");
      expect(c.text).to.not.contain("\n");
    });

    it("honours a lower configured maximum", async () => {
      const old = h.config.kube.logTailMax;
      h.config.kube.logTailMax = 100;
      try {
        const t = await h.run(`/kube logs ${pod} -n github-staging --tail 200`, { user: "UVIEWER" });
        expect(t.whispers[0]?.summary).to.equal("--tail must be a whole number from 1 to 100, not 200");
      } finally {
        h.config.kube.logTailMax = old;
      }
    });
  });

  describe("events", () => {
    for (const args of ["events -n github-staging", "events -A", "events -n github-staging --for deploy/unicorn", `events -n github-staging --for pod/${"POD"}`]) {
      it(`/kube ${args} prints what kubectl prints`, async () => {
        const line = args.replace("POD", pod);
        const [t, k] = await Promise.all([h.run(`/kube ${line}`, { user: "UVIEWER" }), kubectl(h, "staging", line.split(" "))]);
        expect(t.final?.tone, t.text).to.equal("success");
        expect(sameAsKubectl(output(t), k.stdout), `${output(t)}\n---\n${k.stdout}${k.stderr}`).to.equal(true);
      });
    }

    it("says so when there are none, like kubectl", async () => {
      const t = await h.run("/kube events -n github-production", { user: "UVIEWER" });
      const k = await kubectl(h, "production", ["events", "-n", "github-production"]);
      expect(t.text).to.contain(k.stderr.trim());
      expect(t.text).to.contain("No events found in github-production namespace.");
    });
  });
});
