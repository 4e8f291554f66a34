import { expect } from "chai";
import { branchHash, labNamespace, labSlug, MAX_SLUG_LENGTH } from "../../../src/domain/reviewlab/make-slug.js";
import { labelValue, labNamespaceObject, readLab } from "../../../src/domain/reviewlab/lab-metadata.js";

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const long = "feature/" + "a".repeat(60);
const CORPUS = [
  "my-branch",
  "main",
  "feature/ABC_123",
  "feature-abc-123",
  "Feature-abc-123",
  "feature/abc-123",
  "feature/abc_123",
  "feature.abc.123",
  "feature--abc--123",
  "fix/über-straße",
  "fix/uber-strasse",
  "日本語のブランチ",
  "🚀-launch",
  "-leading",
  "trailing-",
  "UPPER",
  "upper",
  "a",
  "0",
  "1234567",
  "deadbeef",
  "foo-1a2b3c4d",
  "foo",
  long,
  long + "b",
  long + "c",
  "x".repeat(50) + "-one",
  "x".repeat(50) + "-two",
  "y".repeat(MAX_SLUG_LENGTH),
  "y".repeat(MAX_SLUG_LENGTH + 1),
  'x"\n  kind: ClusterRole',
  "x\"\n  kind: ClusterRole\n---\napiVersion: v1",
  "{{namespace}}",
  "a/b/c/d",
  "a//b",
  "..",
  "release/2024.01",
  "release/2024-01",
];

describe("review-lab slugs", () => {
  it("keeps a branch that already is a short DNS label", () => {
    for (const b of ["my-branch", "main", "a", "feature--abc--123", "deadbeef", "y".repeat(MAX_SLUG_LENGTH)]) expect(labSlug(b)).to.equal(b);
    expect(labNamespace("my-branch")).to.equal("review-lab-my-branch");
  });

  it("adds a hash of the full name whenever it changed the name", () => {
    expect(labSlug("feature/ABC_123")).to.equal(`feature-abc-123-${branchHash("feature/ABC_123")}`);
    expect(labSlug("feature/ABC_123")).not.to.equal(labSlug("feature-abc-123"));
    expect(labSlug("UPPER")).not.to.equal(labSlug("upper"));
    expect(labSlug("trailing-")).to.match(/^trailing-[0-9a-f]{8}$/);
    expect(labSlug("日本語のブランチ")).to.match(/^b-[0-9a-f]{8}$/);
    expect(labSlug("fix/über-straße")).to.match(/^fix-uber-stra-e-[0-9a-f]{8}$/);
  });

  it("hashes a valid name that looks like a hashed slug, so no plain slug can equal a hashed one", () => {
    expect(labSlug("foo-1a2b3c4d")).to.match(/^foo-1a2b3c4d-[0-9a-f]{8}$/);
  });

  it("cuts long names to fit the 63-character namespace and keeps names that differ only at the end apart", () => {
    const a = labNamespace(long + "b");
    const b = labNamespace(long + "c");
    expect(a.length).to.be.at.most(63);
    expect(a).not.to.equal(b);
    expect(labNamespace("x".repeat(50) + "-one")).not.to.equal(labNamespace("x".repeat(50) + "-two"));
    expect(labSlug("y".repeat(MAX_SLUG_LENGTH + 1))).not.to.equal(labSlug("y".repeat(MAX_SLUG_LENGTH)));
  });

  it("gives every branch of the corpus a valid, unique namespace", () => {
    const seen = new Map<string, string>();
    for (const branch of CORPUS) {
      const ns = labNamespace(branch);
      expect(ns, JSON.stringify(branch)).to.match(DNS_LABEL);
      expect(ns.length, branch).to.be.at.most(63);
      expect(labNamespace(branch)).to.equal(ns);
      expect(seen.get(ns), `${JSON.stringify(branch)} collides`).to.equal(undefined);
      seen.set(ns, branch);
    }
  });

  it("stays valid and unique for random names (fuzz)", () => {
    const alphabet = "abcXYZ019-_./ü日\"': \t{}";
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const seen = new Map<string, string>();
    for (let i = 0; i < 3000; i++) {
      const len = 1 + Math.floor(rnd() * 90);
      let b = "";
      for (let j = 0; j < len; j++) b += alphabet[Math.floor(rnd() * alphabet.length)];
      if (seen.has(labNamespace(b)) && seen.get(labNamespace(b)) === b) continue;
      const ns = labNamespace(b);
      expect(ns).to.match(DNS_LABEL);
      expect(seen.has(ns), `${JSON.stringify(b)} vs ${JSON.stringify(seen.get(ns))}`).to.equal(false);
      seen.set(ns, b);
    }
  });
});

describe("review-lab namespace metadata", () => {
  it("records everything, with valid label values, and reads it back", () => {
    const now = new Date("2026-01-02T03:04:05Z");
    const branch = 'x"\n  kind: ClusterRole';
    const obj = labNamespaceObject({
      namespace: labNamespace(branch),
      slug: labSlug(branch),
      app: "github",
      branch,
      sha: "663c692a0f1296edefa2dbd3fa35d535f8881708",
      pr: 4816,
      owner: "U123 with spaces",
      createdAt: now,
      updatedAt: now,
      expiresAt: new Date(now.getTime() + 72 * 3600_000),
      url: "https://x.review-lab.example.com",
      deploymentId: 7,
    });
    for (const [k, v] of Object.entries(obj.metadata!.labels!)) {
      expect(k.startsWith("tugboat.dev/") || k.startsWith("app.kubernetes.io/")).to.equal(true);
      expect(v, k).to.match(LABEL_VALUE);
      expect(v.length).to.be.at.most(63);
    }
    const lab = readLab(obj)!;
    expect(lab.branch).to.equal(branch);
    expect(lab.owner).to.equal("U123 with spaces");
    expect(lab.pr).to.equal(4816);
    expect(lab.deploymentId).to.equal(7);
    expect(lab.expiresAt.toISOString()).to.equal("2026-01-05T03:04:05.000Z");
    expect(labelValue("--a b--")).to.equal("a_b");
  });

  it("reads only namespaces Tugboat made as labs: its labels and the name derived from the recorded branch", () => {
    const now = new Date("2026-01-02T03:04:05Z");
    const lab = (namespace: string) =>
      labNamespaceObject({ namespace, slug: "x", app: "github", branch: "my-branch", sha: "663c692a0f1296edefa2dbd3fa35d535f8881708", owner: "U1", createdAt: now, updatedAt: now, expiresAt: now, url: "" });
    expect(readLab(lab("review-lab-my-branch"))?.branch).to.equal("my-branch");
    // A team namespace that carries the label (copied, or set by hand) is not a lab: not listed, never reaped.
    expect(readLab(lab("production"))).to.equal(undefined);
    expect(readLab(lab("review-lab-other-branch"))).to.equal(undefined);
    const unmanaged = lab("review-lab-my-branch");
    delete unmanaged.metadata!.labels!["app.kubernetes.io/managed-by"];
    expect(readLab(unmanaged)).to.equal(undefined);
  });
});
