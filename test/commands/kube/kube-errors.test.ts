import { expect } from "chai";
import { startHarness, type Harness, type Transcript } from "../../helpers/harness.js";
import { codeBlock } from "./kube-helpers.js";

// One clear line for every failure: grammar (usage, to the caller only), not found with suggestions, unknown
// type, missing namespace, RBAC, unreachable and slow API servers. Nothing throws, nothing shows a stack.

function expectUsage(t: Transcript, line: string): void {
  expect(t.final, `${line}: no channel message`).to.equal(undefined);
  expect(t.whispers, line).to.have.length(1);
  expect(t.whispers[0]!.tone).to.equal("error");
  expect(t.text, line).to.not.match(/Internal error|at .*\.ts:\d+/);
}

function expectOneLine(t: Transcript): string {
  expect(t.whispers).to.have.length(0);
  expect(t.final?.tone).to.equal("error");
  expect(t.text).to.not.contain("\n");
  expect(t.text).to.not.match(/Internal error|stack|at .*\.ts:\d+/);
  return t.text;
}

describe("/kube errors", function () {
  this.timeout(60_000);
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.stop();
  });

  describe("the bad-input corpus: each gets a usage reply, none throws", () => {
    const corpus: Array<[string, RegExp]> = [
      ["/kube frobnicate pods", /read-only/],
      ["/kube delete pod x -n github-staging", /read-only: `delete`/],
      ["/kube exec -it unicorn -- sh", /read-only: `exec`/],
      ["/kube edit deploy unicorn", /read-only: `edit`/],
      ["/kube apply -f x.yaml", /read-only: `apply`/],
      ["/kube port-forward svc/unicorn 8080", /read-only: `port-forward`/],
      ["/kube scale deploy unicorn --replicas 0", /read-only: `scale`/],
      ["/kube", /needs a verb/],
      ["/kube get pods --as=system:admin", /--as is refused/],
      ["/kube get pods --as system:admin", /--as is refused/],
      ["/kube get pods --as-group system:masters", /--as-group is refused/],
      ["/kube get pods --token abc", /--token is refused/],
      ["/kube get pods --token", /--token is refused/],
      ["/kube get pods --server https://evil", /--server is refused/],
      ["/kube get pods -s https://evil", /--server is refused/],
      ["/kube get pods --kubeconfig /etc/kubeconfig", /--kubeconfig is refused/],
      ["/kube get pods --context prod", /--context is refused/],
      ["/kube get pods --user admin", /--user is refused/],
      ["/kube get pods --cluster-name x", /--cluster-name is refused/],
      ["/kube --as x get pods", /--as is refused/],
      ["/kube logs unicorn --token=x", /--token is refused/],
      ["/kube get pods -n", /--namespace needs a value/],
      ["/kube get pods -n -A", /--namespace needs a value/],
      ["/kube get pods -o bogus", /-o must be one of wide, yaml, json, name/],
      ["/kube logs unicorn --tail 0", /--tail must be a whole number from 1 to 500/],
      ["/kube logs unicorn --tail 501", /--tail must be a whole number from 1 to 500/],
      ["/kube logs unicorn --tail abc", /--tail must be a whole number from 1 to 500/],
      ["/kube logs unicorn --tail -3", /--tail must be a whole number/],
      ["/kube logs unicorn --since 5x", /--since must look like 30s, 10m/],
      ["/kube logs", /logs needs a pod name/],
      ["/kube logs a b", /one pod name/],
      ["/kube get pods -A -n x", /-A \(all namespaces\) and -n cannot be used together/],
      ["/kube events -A -n x", /cannot be used together/],
      ["/kube get", /get needs a type/],
      ['/kube get ""', /empty type name/],
      ["/kube get pods,", /empty type name/],
      ["/kube get po,,svc", /empty type name/],
      ["/kube get pods -n Bad_NS", /not a valid namespace name/],
      ["/kube get pods/", /empty name/],
      ["/kube get pods unicorn -A", /across all namespaces/],
      ["/kube get pods unicorn -l app=x", /cannot be combined/],
      ["/kube get po,svc unicorn", /one type only/],
      ["/kube get pods --sort-by ..", /--sort-by needs a field path/],
      ["/kube get pods --watch", /--watch is not supported/],
      ["/kube get pods -w", /--watch is not supported/],
      ["/kube logs x -f", /--follow is not supported/],
      ["/kube get pods --frob", /unknown flag --frob/],
      ["/kube describe", /describe needs a type/],
      ["/kube describe pods unicorn -l app=unicorn", /a name cannot be combined with -l/],
      ["/kube describe pods -l 'a=$(x)'", /not a valid selector/],
      ["/kube describe pods a b c", /one type and one name/],
      ["/kube events --for pods", /--for needs TYPE\/NAME/],
      ["/kube events extra", /unexpected argument/],
      ["/kube get pods " + "x".repeat(2000), /too long/],
      ["/kube get pods\u0007 -n x", /control character/],
      ["/kube get pods\u001b[31m", /control character/],
      // The tokenizer takes an unclosed quote literally; the grammar then refuses the odd value.
      ["/kube get pods -n 'github-staging", /not a valid namespace name/],
      ['/kube get pods -l "app=unicorn', /not a valid selector/],
      ["/kube get pods --field-selector 'a=$(x)'", /not a valid selector/],
      ["/kube get po$(rm -rf) -n x", /unknown flag -rf\)/],
      ["/kube get po;ls -n x", /not a valid type name/],
      ["/kube get pods ..etc -n x", /not a valid name/],
      ["/kube get pods/../../etc -n x", /not a valid name/],
    ];
    for (const [line, why] of corpus) {
      it(JSON.stringify(line.length > 80 ? line.slice(0, 77) + "..." : line), async () => {
        const t = await h.run(line, { user: "UVIEWER" });
        expectUsage(t, line);
        expect(t.text).to.match(why);
      });
    }
    it("records each as an invalid request in the audit log", async () => {
      const before = h.audit.length;
      await h.run("/kube delete pod x", { user: "UVIEWER" });
      expect(h.audit.slice(before).map((e) => e.outcome)).to.deep.equal(["invalid"]);
    });
    it("/kube help lists every verb with examples", async () => {
      const t = await h.run("/kube help", { user: "UVIEWER" });
      for (const v of ["/kube get", "/kube describe", "/kube logs", "/kube events", "read-only"]) expect(t.text).to.contain(v);
      expect(t.text).to.contain("/kube get pods -n github-staging");
    });
  });

  it("not found: one line with the nearest names", async () => {
    const t = await h.run("/kube get deploy unicron -n github-staging", { user: "UVIEWER" });
    expect(expectOneLine(t)).to.equal('deployments.apps "unicron" not found in namespace github-staging on cluster staging. Did you mean `unicorn`?');
    const pod = await h.run("/kube describe pod unicorn -n github-staging", { user: "UVIEWER" });
    expect(expectOneLine(pod)).to.match(/^pods "unicorn" not found in namespace github-staging on cluster staging\. Did you mean `unicorn-[a-z0-9]+-[a-z0-9]+`/);
    const far = await h.run("/kube get svc zzzzzzzz -n github-staging", { user: "UVIEWER" });
    expect(expectOneLine(far)).to.equal('services "zzzzzzzz" not found in namespace github-staging on cluster staging.');
  });

  it("unknown type: suggests close type names", async () => {
    const t = await h.run("/kube get podz -n github-staging", { user: "UVIEWER" });
    expect(expectOneLine(t)).to.match(/^Unknown type "podz" on cluster staging\. Did you mean `pods?`/);
    const d = await h.run("/kube get deploymnets -n github-staging", { user: "UVIEWER" });
    expect(expectOneLine(d)).to.contain("Did you mean `deployments`");
  });

  it("namespace that does not exist: says so", async () => {
    const t = await h.run("/kube get pods -n no-such-ns", { user: "UVIEWER" });
    expect(expectOneLine(t)).to.equal('Namespace "no-such-ns" does not exist on cluster staging.');
    const named = await h.run("/kube get pod x -n no-such-ns", { user: "UVIEWER" });
    expect(expectOneLine(named)).to.equal('Namespace "no-such-ns" does not exist on cluster staging.');
    const ev = await h.run("/kube events -n no-such-ns", { user: "UVIEWER" });
    expect(expectOneLine(ev)).to.equal('Namespace "no-such-ns" does not exist on cluster staging.');
  });

  it("forbidden by the cluster's RBAC: one line naming the cluster", async () => {
    const staging = h.sandbox.clusters.staging!;
    const denied = staging.control.faults.inject({ verb: "list", resource: "pods", status: 403, count: 1 });
    const t = await h.run("/kube get pods -n github-staging", { user: "UVIEWER" });
    staging.faults.clear();
    expect(expectOneLine(t)).to.match(/^Forbidden by cluster staging's RBAC: /);
    expect(denied.hits).to.equal(1);
  });

  it("rejects a bad label selector with the server's reason", async () => {
    const t = await h.run("/kube get pods -n github-staging -l 'a in (b'", { user: "UVIEWER" });
    expect(expectOneLine(t)).to.match(/^Cluster staging rejected the query: /);
  });

  it("chunks long output: first lines inline, '… N more rows', the whole table attached", async () => {
    const prod = h.sandbox.clusters.production!;
    prod.putObject({ apiVersion: "v1", kind: "Namespace", metadata: { name: "bulk" } });
    for (let i = 0; i < 150; i++) {
      prod.putObject({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `cm-${String(i).padStart(3, "0")}`, namespace: "bulk" }, data: { k: "v" } });
    }
    const t = await h.run("/kube get cm -n bulk --cluster production", { user: "UVIEWER" });
    const inline = codeBlock(t);
    const lines = inline.split("\n");
    expect(lines.length).to.be.at.most(40);
    expect(inline.length).to.be.at.most(2800);
    expect(lines[0]).to.match(/^NAME\s+DATA\s+AGE$/);
    const shown = lines.length - 2; // header and the "more" line
    // 151 rows: the namespace's kube-root-ca.crt too, as on a real cluster
    expect(lines[lines.length - 1]).to.equal(`… ${151 - shown} more rows; the whole output is attached`);
    expect(t.final?.attachment?.content.split("\n").filter((l) => l.startsWith("cm-"))).to.have.length(150);
    expect(t.final?.attachment?.filename).to.equal("kube-get-cm.txt");
    // The terminal prints the whole output, not the cut block.
    expect(t.text.split("\n").filter((l) => l.startsWith("cm-"))).to.have.length(150);
    expect(t.text).to.not.contain("more rows");

    const short = await h.run("/kube get deploy -n github-staging", { user: "UVIEWER" });
    expect(short.final?.attachment).to.equal(undefined);
    expect(codeBlock(short)).to.not.contain("more");
  });

  it("a thousands separator in the count of what was left out", async () => {
    const prod = h.sandbox.clusters.production!;
    prod.putObject({ apiVersion: "v1", kind: "Namespace", metadata: { name: "bulk2" } });
    for (let i = 0; i < 1100; i++) prod.putObject({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `c${i}`, namespace: "bulk2" } });
    const t = await h.run("/kube get cm -n bulk2 --cluster production -o name", { user: "UVIEWER" });
    expect(codeBlock(t)).to.match(/\n… 1,0\d\d more rows; the whole output is attached$/);
  });
});

describe("/kube when the API server is slow or gone", function () {
  this.timeout(60_000);
  let h: Harness;
  before(async () => {
    h = await startHarness({ configure: (c) => void (c.kube.requestTimeoutSeconds = 1) });
  });
  after(async () => {
    await h?.stop();
  });

  it("slow (latency over the configured timeout): one clear line", async () => {
    await h.run("/kube get pods -n github-staging", { user: "UVIEWER" }); // warm discovery
    const slow = h.sandbox.control.cluster("staging").faults.inject({ verb: "list", resource: "pods", latencyMs: 2500, count: 1 });
    const started = Date.now();
    const t = await h.run("/kube get pods -n github-staging", { user: "UVIEWER" });
    expect(Date.now() - started).to.be.below(2400);
    expect(expectOneLine(t)).to.equal("Timed out: the API server of cluster staging did not answer within 1 s.");
    expect(slow.hits).to.equal(1);
  });

  it("unreachable (cluster stopped): one clear line", async () => {
    await h.sandbox.clusters.production!.stop();
    const t = await h.run("/kube get pods -n github-production", { user: "UVIEWER" });
    expect(expectOneLine(t)).to.match(/^Unavailable: cannot reach the API server of cluster production at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)\.$/);
    const d = await h.run("/kube describe deploy unicorn -n github-production", { user: "UVIEWER" });
    expect(expectOneLine(d)).to.match(/^Unavailable: /);
  });
});
