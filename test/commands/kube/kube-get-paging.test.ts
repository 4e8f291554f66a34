import { expect } from "chai";
import { ATTACHMENTS_AT_ONCE, ATTACHMENTS_WAITING, attachmentSlot } from "../../../src/commands/kube/paged-get.js";
import type { Reply } from "../../../src/core/reply.js";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { codeBlock, kubectl } from "./kube-helpers.js";

// /kube get on long lists, through the router against the sandbox with a small page size (kube.chunkSize 5):
// the first reply comes after the pages the chat shows, "… N more rows" comes from the server's
// remainingItemCount, and the attachment is paged on up to kube.attachmentMaxRows.

const PODS = 150;

function podRequests(h: Harness, path: string): string[] {
  return h.sandbox.clusters.staging!.requests.log.filter((r) => r.method === "GET" && r.path === path).map((r) => r.query ?? "");
}

function codeOf(reply: Reply | undefined): string {
  const code = reply?.blocks.find((b) => b.type === "code");
  return code && code.type === "code" ? code.text : "";
}

describe("/kube get: paged lists (kube.chunkSize, kube.attachmentMaxRows)", function () {
  this.timeout(60_000);
  let h: Harness;
  before(async () => {
    h = await startHarness({
      configure: (c) => {
        c.kube.chunkSize = 5;
        c.kube.attachmentMaxRows = 100;
      },
    });
    const staging = h.sandbox.clusters.staging!;
    staging.putObject({ apiVersion: "v1", kind: "Namespace", metadata: { name: "bulk" } });
    for (let i = 0; i < PODS; i++) {
      const name = `p-${String(i).padStart(3, "0")}`;
      staging.putObject({ apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "bulk", labels: { tier: "web" } }, spec: { containers: [{ name: "app", image: "nginx:1.25" }] } });
    }
    await h.run("/kube get ns", { user: "UVIEWER" }); // warm discovery
  });
  after(async () => {
    await h?.stop();
  });

  it("replies after the pages the chat shows, counts the rest from remainingItemCount, and pages the attachment up to the cap", async () => {
    h.sandbox.clusters.staging!.requests.reset();
    const atSend: number[] = [];
    const t = await h.run("/kube get pods -n bulk", { user: "UVIEWER", onSend: () => atSend.push(podRequests(h, "/api/v1/namespaces/bulk/pods").length) });

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

  it("--sort-by turns paging off, as kubectl does (all rows are needed to sort)", async () => {
    h.sandbox.clusters.staging!.requests.reset();
    const t = await h.run("/kube get pods -n bulk --sort-by .metadata.name", { user: "UVIEWER" });
    const queries = podRequests(h, "/api/v1/namespaces/bulk/pods");
    expect(queries).to.have.length(1);
    expect(queries[0]).to.not.match(/limit=/);
    expect(t.final!.summary).to.equal("get pods -n bulk on staging: 150 rows");
  });
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
