import { expect } from "chai";
import { startKubeSandbox, ZERO_DELAYS, type KubeSandbox } from "@tugboat/sandbox/kube";
import { raw } from "./helpers.js";

// Lists page from the continue token on (a page of 100,000 pods costs its own 500 objects, not the whole list): the
// pages must still be exactly the unpaged list, in `namespace/name` order across namespaces whose names sort around
// "/" ("a-b" < "a" < "a0" as `a-b/` < `a/` < `a0/`), with the API server's remainingItemCount on each page.

const PODS: Array<[string, string]> = [];
for (const ns of ["a", "a-b", "a0", "b"]) for (const name of ["p1", "p2", "p3"]) PODS.push([ns, name]);

async function pages(sb: KubeSandbox, path: string, limit: number): Promise<Array<{ names: string[]; remaining?: number; more: boolean }>> {
  const out: Array<{ names: string[]; remaining?: number; more: boolean }> = [];
  let cont: string | undefined;
  do {
    const sep = path.includes("?") ? "&" : "?";
    const r = await raw(sb, "GET", `${path}${sep}limit=${limit}${cont ? `&continue=${encodeURIComponent(cont)}` : ""}`);
    expect(r.status, r.text).to.equal(200);
    cont = r.json.metadata.continue;
    out.push({ names: r.json.items.map((o: any) => `${o.metadata.namespace ?? ""}/${o.metadata.name}`), remaining: r.json.metadata.remainingItemCount, more: cont !== undefined });
  } while (cont);
  return out;
}

describe("sandbox: list paging from the continue token", () => {
  let sb: KubeSandbox;
  before(async () => {
    sb = await startKubeSandbox({ clusterName: "paging", delays: ZERO_DELAYS });
    for (const ns of ["a", "a-b", "a0", "b"]) sb.putObject({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
    for (const [ns, name] of PODS) sb.putObject({ apiVersion: "v1", kind: "Pod", metadata: { name, namespace: ns, labels: { n: name } }, spec: { nodeName: "n1", containers: [{ name: "c", image: "i" }] }, status: { phase: "Running" } });
  });
  after(async () => {
    await sb?.stop();
  });

  it("pages across namespaces are the unpaged list, in order, each counting what is left", async () => {
    const whole = (await raw(sb, "GET", "/api/v1/pods")).json.items.map((o: any) => `${o.metadata.namespace}/${o.metadata.name}`);
    expect(whole.filter((id: string) => /^(a|a-b|a0|b)\//.test(id))).to.deep.equal(["a-b/p1", "a-b/p2", "a-b/p3", "a/p1", "a/p2", "a/p3", "a0/p1", "a0/p2", "a0/p3", "b/p1", "b/p2", "b/p3"]);
    for (const limit of [1, 2, 5]) {
      const got = await pages(sb, "/api/v1/pods", limit);
      expect(got.flatMap((p) => p.names), `limit ${limit}`).to.deep.equal(whole);
      let seen = 0;
      for (const p of got) {
        seen += p.names.length;
        expect(p.remaining, `limit ${limit}`).to.equal(p.more ? whole.length - seen : undefined);
      }
    }
  });

  it("in one namespace, for cluster-scoped objects, and with a selector (not counted) it pages the same way", async () => {
    expect((await pages(sb, "/api/v1/namespaces/a/pods", 2)).map((p) => p.names)).to.deep.equal([["a/p1", "a/p2"], ["a/p3"]]);
    const namespaces = (await raw(sb, "GET", "/api/v1/namespaces")).json.items.map((o: any) => `/${o.metadata.name}`);
    expect((await pages(sb, "/api/v1/namespaces", 2)).flatMap((p) => p.names)).to.deep.equal(namespaces);
    const selected = await pages(sb, "/api/v1/pods?labelSelector=n%3Dp2", 2);
    expect(selected.flatMap((p) => p.names)).to.deep.equal(["a-b/p2", "a/p2", "a0/p2", "b/p2"]);
    expect(selected.map((p) => p.remaining)).to.deep.equal([undefined, undefined]);
  });

  it("an object deleted or added between pages is left out or listed where it sorts, as with etcd", async () => {
    const first = await raw(sb, "GET", "/api/v1/namespaces/b/pods?limit=1");
    sb.putObject({ apiVersion: "v1", kind: "Pod", metadata: { name: "p0", namespace: "b" }, spec: { nodeName: "n1", containers: [{ name: "c", image: "i" }] } });
    sb.putObject({ apiVersion: "v1", kind: "Pod", metadata: { name: "p25", namespace: "b" }, spec: { nodeName: "n1", containers: [{ name: "c", image: "i" }] } });
    expect((await raw(sb, "DELETE", "/api/v1/namespaces/b/pods/p3?gracePeriodSeconds=0")).status).to.be.oneOf([200, 202]);
    const next = await raw(sb, "GET", `/api/v1/namespaces/b/pods?continue=${encodeURIComponent(first.json.metadata.continue)}`);
    // p3 is gone, or still there while it terminates (the sandbox's kubelet may take a moment), marked as such
    const live = next.json.items.filter((o: any) => !o.metadata.deletionTimestamp).map((o: any) => o.metadata.name);
    expect(live).to.deep.equal(["p2", "p25"]);
  });
});
