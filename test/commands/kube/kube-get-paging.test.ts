import { expect } from "chai";
import { ATTACHMENTS_AT_ONCE, ATTACHMENTS_WAITING, attachmentSlot } from "../../../src/commands/kube/paged-get.js";
import type { TugboatConfig } from "../../../src/config/schema.js";
import type { Reply } from "../../../src/core/reply.js";
import type { KObject } from "../../../src/gateways/types.js";
import { startHarness, type Harness, type Transcript } from "../../helpers/harness.js";
import { parse as parseYaml } from "yaml";
import { listDocument, listItem } from "../../../src/commands/kube/paged-objects.js";
import { asList, toKubectlJson, toKubectlYaml } from "../../../src/commands/kube/serialize.js";
import { codeBlock, kubectl, output, sameAsKubectl } from "./kube-helpers.js";

// /kube get on long lists, through the router against the sandbox with a small page size (kube.chunkSize 5):
// the first reply comes after the pages the chat shows, "… N more rows" comes from the server's
// remainingItemCount, and the attachment is paged on up to kube.attachmentMaxRows.

const PODS = 150;

function podRequests(h: Harness, path: string): string[] {
  return h.sandbox.clusters.staging!.requests.log.filter((r) => r.method === "GET" && r.path === path).map((r) => r.query ?? "");
}

/** A harness with kube.chunkSize 5 (and the given limits) and `count` pods p-000… in namespace bulk, discovery warm. */
async function startBulkHarness(limits: Partial<TugboatConfig["kube"]>, count: number, pod: (name: string, i: number) => Omit<KObject, "apiVersion" | "kind">): Promise<Harness> {
  const h = await startHarness({ configure: (c) => Object.assign(c.kube, { chunkSize: 5, ...limits }) });
  const staging = h.sandbox.clusters.staging!;
  staging.putObject({ apiVersion: "v1", kind: "Namespace", metadata: { name: "bulk" } });
  for (let i = 0; i < count; i++) staging.putObject({ apiVersion: "v1", kind: "Pod", ...pod(`p-${String(i).padStart(3, "0")}`, i) });
  await h.run("/kube get ns", { user: "UVIEWER" }); // warm discovery
  return h;
}

/** Runs a command as the viewer, noting how many list requests for bulk's pods had been made at each reply. */
async function runCountingPages(h: Harness, line: string): Promise<{ t: Transcript; atSend: number[] }> {
  h.sandbox.clusters.staging!.requests.reset();
  const atSend: number[] = [];
  const t = await h.run(line, { user: "UVIEWER", onSend: () => atSend.push(podRequests(h, "/api/v1/namespaces/bulk/pods").length) });
  return { t, atSend };
}

function codeOf(reply: Reply | undefined): string {
  const code = reply?.blocks.find((b) => b.type === "code");
  return code && code.type === "code" ? code.text : "";
}

describe("/kube get: paged lists (kube.chunkSize, kube.attachmentMaxRows)", function () {
  this.timeout(60_000);
  let h: Harness;
  before(async () => {
    h = await startBulkHarness({ attachmentMaxRows: 100 }, PODS, (name) => ({ metadata: { name, namespace: "bulk", labels: { tier: "web" } }, spec: { containers: [{ name: "app", image: "nginx:1.25" }] } }));
  });
  after(async () => {
    await h?.stop();
  });

  it("replies after the pages the chat shows, counts the rest from remainingItemCount, and pages the attachment up to the cap", async () => {
    const { t, atSend } = await runCountingPages(h, "/kube get pods -n bulk");

    expect(t.updates).to.have.length(2);
    // 40 rows fill the chat: 8 pages of 5, not the 30 pages of the whole list
    expect(atSend[0]).to.equal(8);
    const first = t.updates[0]!;
    expect(first.summary).to.equal("get pods -n bulk on staging: 150 rows");
    const firstLines = codeOf(first).split("\n");
    expect(firstLines[0]).to.match(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    expect(firstLines[1]).to.match(/^p-000\s/);
    const shown = firstLines.length - 2; // header and the "more" line
    expect(firstLines.at(-1)).to.equal(`… ${PODS - shown} more rows; the full list follows as an attachment`);
    expect(first.attachment).to.equal(undefined);

    // the attachment stops at 100 rows: 20 pages, and says so in the chat and in the file
    expect(atSend[1]).to.equal(20);
    expect(podRequests(h, "/api/v1/namespaces/bulk/pods").every((q) => /(^|&)limit=5(&|$)/.test(q))).to.equal(true);
    const final = t.final!;
    expect(final.tone).to.equal("success");
    expect(final.summary).to.equal("get pods -n bulk on staging: 150 rows");
    expect(codeOf(final).split("\n").at(-1)).to.equal(`… ${PODS - shown} more rows; the first 100 are attached (kube.attachmentMaxRows is 100)`);
    const file = final.attachment!.content.replace(/\n$/, "").split("\n");
    expect(file).to.have.length(1 + 100 + 1);
    expect(file.slice(1, 101).map((l) => l.split(/\s+/)[0])).to.deep.equal(Array.from({ length: 100 }, (_, i) => `p-${String(i).padStart(3, "0")}`));
    expect(file.at(-1)).to.equal("… 50 more rows not included (kube.attachmentMaxRows is 100)");
  });

  it("under the cap, the attachment is kubectl's whole output", async () => {
    h.config.kube.attachmentMaxRows = 1000;
    try {
      const t = await h.run("/kube get pods -n bulk -o wide", { user: "UVIEWER" });
      expect(t.updates).to.have.length(2);
      expect(codeOf(t.final).split("\n").at(-1)).to.match(/^… \d+ more rows; the whole output is attached$/);
      const ours = t.final!.attachment!.content;
      const theirs = (await kubectl(h, "staging", ["get", "pods", "-n", "bulk", "-o", "wide"])).stdout;
      const ages = (s: string) => s.replace(/(?<=\s)(\d+[smhd])+(?=\s)/g, "<age>").replace(/ +/g, " ");
      expect(ages(ours)).to.equal(ages(theirs));
      expect(ours.split("\n")[0]).to.equal(theirs.split("\n")[0]);
    } finally {
      h.config.kube.attachmentMaxRows = 100;
    }
  });

  it("a selective list is not counted by the server: the first reply says 'at least', the final one the exact count", async () => {
    h.config.kube.attachmentMaxRows = 1000;
    try {
      const t = await h.run("/kube get pods -n bulk -l tier=web -o name", { user: "UVIEWER" });
      expect(t.updates).to.have.length(2);
      const first = t.updates[0]!;
      expect(first.summary).to.equal("get pods -n bulk on staging: at least 40 rows");
      expect(codeOf(first).split("\n").at(-1)).to.match(/^… \d+\+ more rows \(the server does not count what a selective list has left\); the full list follows as an attachment$/);
      expect(t.final!.summary).to.equal("get pods -n bulk on staging: 150 rows");
      expect(codeOf(t.final).split("\n").at(-1)).to.match(/^… \d+ more rows; the whole output is attached$/);
      expect(t.final!.attachment!.content.split("\n").filter((l) => l.startsWith("pod/p-"))).to.have.length(PODS);
    } finally {
      h.config.kube.attachmentMaxRows = 100;
    }
  });

  it("a page that fails after the first reply ends the attachment there, saying why", async () => {
    const staging = h.sandbox.clusters.staging!;
    let sends = 0;
    const t = await h.run("/kube get pods -n bulk", {
      user: "UVIEWER",
      onSend: () => {
        // 410 Gone: the continue token expired (the gateway does not retry that, the list must start over)
        if (sends++ === 0) staging.faults.add({ verb: "list", resource: "pods", status: 410, count: 1 });
      },
    });
    staging.faults.clear();
    expect(t.updates).to.have.length(2);
    expect(t.final!.tone).to.equal("success");
    const last = codeOf(t.final).split("\n").at(-1)!;
    expect(last).to.match(/^… \d+ more rows; the first 40 are attached \(paging stopped: .+\)$/);
    const file = t.final!.attachment!.content.replace(/\n$/, "").split("\n");
    expect(file).to.have.length(1 + 40 + 1);
    expect(file.at(-1)).to.match(/^… 110 more rows not included \(paging stopped: .+\)$/);
  });

  it("when the attachment queue is full, the chat still gets its answer and says there is no attachment", async () => {
    const running = await Promise.all([attachmentSlot(), attachmentSlot()]);
    const waiters = Array.from({ length: ATTACHMENTS_WAITING }, () => attachmentSlot());
    try {
      const t = await h.run("/kube get pods -n bulk", { user: "UVIEWER" });
      expect(t.final!.tone).to.equal("success");
      expect(t.final!.attachment).to.equal(undefined);
      expect(codeOf(t.final).split("\n").at(-1)).to.match(/^… 112 more rows; no attachment: 10 other long lists are being prepared by this bot; ask again in a moment$/);
    } finally {
      running.forEach((release) => release!());
      for (const w of waiters) (await w)!();
    }
  });

  it("-A counts every namespace from the first page's remainingItemCount", async () => {
    const all = h.sandbox.clusters.staging!.listObjects("v1", "Pod").length;
    const t = await h.run("/kube get pods -A", { user: "UVIEWER" });
    expect(t.updates[0]!.summary).to.equal(`get pods -A on staging: ${all} rows`);
    expect(codeOf(t.updates[0]).split("\n")[0]).to.match(/^NAMESPACE\s+NAME\s+READY/);
    expect(t.final!.summary).to.equal(`get pods -A on staging: ${all} rows`);
  });

  it("a list that fits the pages the chat needs replies once, without an attachment", async () => {
    const t = await h.run("/kube get pods -n github-staging", { user: "UVIEWER" });
    expect(t.updates).to.have.length(1);
    expect(t.final!.attachment).to.equal(undefined);
    expect(codeBlock(t).split("\n")[0]).to.match(/^NAME\s+READY/);
  });

  it("--sort-by pages too (kubectl turns chunking off) and sorts the whole list as kubectl does", async () => {
    h.config.kube.attachmentMaxRows = 1000;
    try {
      h.sandbox.clusters.staging!.requests.reset();
      const t = await h.run("/kube get pods -n bulk --sort-by {.metadata.uid}", { user: "UVIEWER" });
      const queries = podRequests(h, "/api/v1/namespaces/bulk/pods");
      // the Table in 30 pages of 5 (the uid is in each row's metadata)
      expect(queries).to.have.length(30);
      expect(queries.every((q) => /(^|&)limit=5(&|$)/.test(q))).to.equal(true);
      expect(t.final!.summary).to.equal("get pods -n bulk on staging: 150 rows");
      const theirs = (await kubectl(h, "staging", ["get", "pods", "-n", "bulk", "--sort-by", "{.metadata.uid}"])).stdout;
      expect(sameAsKubectl(output(t), theirs)).to.equal(true);
    } finally {
      h.config.kube.attachmentMaxRows = 100;
    }
  });

  it("--sort-by on a list longer than kube.attachmentMaxRows is refused in one line, after the pages that passed the cap", async () => {
    h.sandbox.clusters.staging!.requests.reset();
    const t = await h.run("/kube get pods -n bulk --sort-by .metadata.name", { user: "UVIEWER" });
    expect(t.final!.tone).to.equal("error");
    expect(t.text).to.include("--sort-by sorts the whole list, and pods on cluster staging has more than 100 rows (kube.attachmentMaxRows): narrow it with -n, -l or --field-selector.");
    // 21 pages of 5 (past 100), not the 30 of the whole list
    expect(podRequests(h, "/api/v1/namespaces/bulk/pods")).to.have.length(21);
  });
});

describe("/kube get -o yaml|json: paged and capped (kube.attachmentMaxBytes)", function () {
  this.timeout(60_000);
  let h: Harness;
  before(async () => {
    // Running on a node already, so no controller changes them between Tugboat's read and kubectl's.
    const started = "2026-01-01T00:00:00Z";
    h = await startBulkHarness({ attachmentMaxBytes: 20 * 1024 }, 60, (name, i) => ({
      metadata: { name, namespace: "bulk", labels: { tier: "web" }, creationTimestamp: started },
      spec: { nodeName: "node-a", containers: [{ name: "app", image: `nginx:1.${60 - i}` }] },
      status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }], containerStatuses: [{ name: "app", ready: true, restartCount: 0, image: `nginx:1.${60 - i}`, state: { running: { startedAt: started } } }] },
    }));
  });
  after(async () => {
    await h?.stop();
  });

  it("asks for one page for the chat and stops; under the cap the attachment is kubectl's -o yaml", async () => {
    h.config.kube.attachmentMaxBytes = 10 * 1024 * 1024;
    try {
      const { t, atSend } = await runCountingPages(h, "/kube get pods -n bulk -o yaml");
      expect(t.updates).to.have.length(2);
      // five pods are more than the 40 lines the chat shows: one request before the first reply
      expect(atSend[0]).to.equal(1);
      const first = t.updates[0]!;
      expect(first.summary).to.equal("get pods -n bulk on staging: 60 objects");
      const firstLines = codeOf(first).split("\n");
      expect(firstLines.slice(0, 3)).to.deep.equal(["apiVersion: v1", "items:", "- apiVersion: v1"]);
      expect(firstLines.at(-1)).to.equal("… 60 objects in all; the full list follows as an attachment");
      expect(atSend[1]).to.equal(12);
      expect(codeOf(t.final).split("\n").at(-1)).to.equal("… 60 objects in all; the whole output is attached");
      const theirs = (await kubectl(h, "staging", ["get", "pods", "-n", "bulk", "-o", "yaml"])).stdout;
      expect(sameAsKubectl(t.final!.attachment!.content.replace(/\n$/, ""), theirs)).to.equal(true);
    } finally {
      h.config.kube.attachmentMaxBytes = 20 * 1024;
    }
  });

  it("-o yaml past kube.attachmentMaxBytes is cut at an object, stays valid YAML and says so in the file and the chat", async () => {
    h.sandbox.clusters.staging!.requests.reset();
    const t = await h.run("/kube get pods -n bulk -o yaml", { user: "UVIEWER" });
    const file = t.final!.attachment!.content;
    expect(Buffer.byteLength(file)).to.be.below(20 * 1024 + 200);
    const doc = parseYaml(file) as { kind: string; items: Array<{ metadata: { name: string } }> };
    expect(doc.kind).to.equal("List");
    const kept = doc.items.length;
    expect(kept).to.be.within(3, 59);
    expect(doc.items.map((p) => p.metadata.name)).to.deep.equal(Array.from({ length: kept }, (_, i) => `p-${String(i).padStart(3, "0")}`));
    expect(file.trimEnd().split("\n").at(-1)).to.equal(`# … ${60 - kept} more objects not included (kube.attachmentMaxBytes is 20 KiB)`);
    expect(codeOf(t.final).split("\n").at(-1)).to.equal(`… 60 objects in all; the first ${kept} are attached (kube.attachmentMaxBytes is 20 KiB)`);
    // paging stopped at the cap: not the 12 pages of the whole list
    expect(podRequests(h, "/api/v1/namespaces/bulk/pods").length).to.be.below(12);
  });

  it("-o json past the cap is a valid JSON List of the objects that fitted; the chat says how many", async () => {
    const t = await h.run("/kube get pods -n bulk -o json", { user: "UVIEWER" });
    const doc = JSON.parse(t.final!.attachment!.content) as { kind: string; items: unknown[] };
    expect(doc.kind).to.equal("List");
    expect(doc.items.length).to.be.within(1, 59);
    expect(t.final!.summary).to.equal("get pods -n bulk on staging: 60 objects");
    expect(codeOf(t.final).split("\n").at(-1)).to.equal(`… 60 objects in all; the first ${doc.items.length} are attached (kube.attachmentMaxBytes is 20 KiB)`);
  });

  it("-o yaml --sort-by past the cap is refused in one line", async () => {
    const t = await h.run("/kube get pods -n bulk -o yaml --sort-by .metadata.name", { user: "UVIEWER" });
    expect(t.final!.tone).to.equal("error");
    expect(t.text).to.include("--sort-by sorts the whole list, and pods on cluster staging has more than 20 KiB of YAML (kube.attachmentMaxBytes): narrow it with -n, -l or --field-selector.");
  });

  it("--sort-by a field the rows do not carry pages the Table and the objects' keys, and sorts as kubectl does", async () => {
    h.sandbox.clusters.staging!.requests.reset();
    const t = await h.run("/kube get pods -n bulk --sort-by .spec.containers[0].image", { user: "UVIEWER" });
    // the Table in 12 pages of 5, then the list for the keys (the image is not in a row's metadata) in 12 more
    const queries = podRequests(h, "/api/v1/namespaces/bulk/pods");
    expect(queries).to.have.length(24);
    expect(queries.every((q) => /(^|&)limit=5(&|$)/.test(q))).to.equal(true);
    const theirs = (await kubectl(h, "staging", ["get", "pods", "-n", "bulk", "--sort-by", ".spec.containers[0].image"])).stdout;
    expect(sameAsKubectl(output(t), theirs)).to.equal(true);
    expect(output(t).split("\n").slice(1, 3).map((l) => l.split(" ")[0])).to.deep.equal(["p-059", "p-050"]); // nginx:1.1, nginx:1.10: strings
  });

  it("-o json --sort-by within the cap is kubectl's sorted List", async () => {
    h.config.kube.attachmentMaxBytes = 10 * 1024 * 1024;
    try {
      const t = await h.run("/kube get pods -n bulk -o json --sort-by {.metadata.uid}", { user: "UVIEWER" });
      const theirs = (await kubectl(h, "staging", ["get", "pods", "-n", "bulk", "-o", "json", "--sort-by", "{.metadata.uid}"])).stdout;
      expect(sameAsKubectl(output(t), theirs)).to.equal(true);
    } finally {
      h.config.kube.attachmentMaxBytes = 20 * 1024;
    }
  });
});

describe("/kube get -o yaml|json: the List written item by item", () => {
  const objects = [
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a", namespace: "x", labels: {} }, data: { "script.sh": "#!/bin/sh\necho 'hi'\n", empty: "", yes: "yes", n: "0123" } },
    { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "b" }, spec: { replicas: 2, template: { spec: { containers: [{ name: "c", args: ["--x=<y>", "a: b", "- z"] }] } } }, status: {} },
  ];
  for (const format of ["yaml", "json"] as const) {
    it(`${format}: the same bytes as printing the whole List`, () => {
      const whole = format === "json" ? toKubectlJson(asList(objects)) : toKubectlYaml(asList(objects));
      expect(listDocument(format, objects.map((o) => listItem(format, o)))).to.equal(whole);
      const empty = format === "json" ? toKubectlJson(asList([])) : toKubectlYaml(asList([]));
      expect(listDocument(format, [])).to.equal(empty);
    });
  }
});

describe("/kube get: attachments paged at once", () => {
  it("two at a time; the third waits for a slot and gets it when one is given back", async () => {
    expect(ATTACHMENTS_AT_ONCE).to.equal(2);
    const first = (await attachmentSlot())!;
    const second = (await attachmentSlot())!;
    let third: (() => void) | undefined;
    const waiting = attachmentSlot().then((release) => (third = release));
    await new Promise((r) => setImmediate(r));
    expect(third).to.equal(undefined);
    first();
    await waiting;
    expect(third).to.be.a("function");
    second();
    third!();
    // all given back: two are free again at once
    const again = await Promise.all([attachmentSlot(), attachmentSlot()]);
    again.forEach((release) => release!());
  });

  it("at most ATTACHMENTS_WAITING wait; the next gets no slot at once instead of waiting", async () => {
    const running = await Promise.all([attachmentSlot(), attachmentSlot()]);
    const waiters = Array.from({ length: ATTACHMENTS_WAITING }, () => attachmentSlot());
    expect(await attachmentSlot()).to.equal(undefined);
    running.forEach((release) => release!());
    for (const w of waiters) (await w)!();
    const fresh = await attachmentSlot();
    expect(fresh).to.be.a("function");
    fresh!();
  });
});
