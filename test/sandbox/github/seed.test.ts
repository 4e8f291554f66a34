// The GitHub sandbox seed: it matches docs/sandbox-seed-facts.md, and a broken seed fails with a useful message.
import { expect } from "chai";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSeed, readSeed } from "@tugboat/sandbox/github";
import { FULL, SHAS } from "./helpers.js";

describe("GitHub sandbox seed", function () {
  const store = loadSeed(readSeed("config/sandbox/github.yaml"), "config/sandbox/repos");

  it("matches the shared seed facts", function () {
    const repo = store.repo(FULL);
    expect(repo.default_branch).to.equal("main");
    expect(repo.branches.get("main")).to.equal(SHAS.main);
    const pulls = [...repo.pulls.values()].map((p) => [p.number, p.head, p.sha, p.state, p.merged, p.user]);
    expect(pulls).to.deep.equal([
      [4812, "feature/faster-unicorn", SHAS.pr4812, "open", false, "octocat"],
      [4813, "broken-build", SHAS.pr4813, "open", false, "hubot"],
      [4814, "pending-build", SHAS.pr4814, "open", false, "hubot"],
      [4815, "old-idea", SHAS.pr4815, "closed", false, "octocat"],
      [4816, "my-branch", SHAS.pr4816, "open", false, "hubot"],
      [4817, "evil-manifests", SHAS.pr4817, "open", false, "mallory"],
    ]);
    expect(store.pull(FULL, 4812).title).to.equal("Make unicorn faster");
    expect(store.pull(FULL, 4816).title).to.equal("My branch");
    const gate = (sha: string) => store.latestStatuses(FULL, sha).find((s) => s.context === "ci/image")?.state;
    expect([SHAS.main, SHAS.staging, SHAS.pr4812, SHAS.pr4815, SHAS.pr4816, SHAS.pr4817].map(gate)).to.deep.equal(Array(6).fill("success"));
    expect(gate(SHAS.pr4813)).to.equal("failure");
    expect(gate(SHAS.pr4814)).to.equal("pending");
    expect(store.isAncestor(FULL, SHAS.staging, SHAS.main)).to.equal(true);
    expect(store.tokens.get("sandbox-token")).to.equal("tugboat-bot");
  });

  it("serves the manifests for every commit", function () {
    const files = [...store.filesAt(FULL, SHAS.pr4815).keys()];
    expect(files).to.include.members([
      "README.md",
      "config/kubernetes/production/unicorn.yaml", "config/kubernetes/production/unicorn-api.yaml", "config/kubernetes/production/consul-service-router.yaml",
      "config/kubernetes/staging/unicorn.yaml", "config/kubernetes/staging/unicorn-api.yaml", "config/kubernetes/staging/consul-service-router.yaml",
      "config/kubernetes/review-lab/unicorn.yaml", "config/kubernetes/review-lab/unicorn-api.yaml", "config/kubernetes/review-lab/configmap.yaml",
    ]);
    const prod = store.filesAt(FULL, SHAS.main).get("config/kubernetes/production/unicorn-api.yaml")!;
    expect(prod).to.include("replicas: 2").and.include("image: {{image}}").and.include("namespace: {{namespace}}").and.include("progressDeadlineSeconds: 60");
    expect(store.filesAt(FULL, SHAS.main).get("config/kubernetes/staging/unicorn.yaml")).to.include("replicas: 2");
    expect(store.filesAt(FULL, SHAS.main).get("config/kubernetes/review-lab/configmap.yaml")).to.include("BRANCH: {{branch}}");
  });

  it("adds a commit's own files (PR #4817's hostile manifests) to that commit only", function () {
    const evil = store.filesAt(FULL, SHAS.pr4817);
    for (const dir of ["staging", "production", "review-lab"]) {
      expect(evil.get(`config/kubernetes/${dir}/zz-extra.yaml`), dir).to.be.a("string");
      expect(evil.get(`config/kubernetes/${dir}/zz-many.yaml`), dir).to.include("filler-300");
      expect(evil.has(`config/kubernetes/${dir}/unicorn.yaml`), dir).to.equal(true);
    }
    expect(evil.get("config/kubernetes/staging/zz-extra.yaml")).to.include("tugboat-lock-github-staging");
    expect([...store.filesAt(FULL, SHAS.pr4812).keys()].filter((p) => p.includes("zz-"))).to.deep.equal([]);
    const dir = mkdtempSync(join(tmpdir(), "gh-seed-"));
    writeFileSync(join(dir, "github.yaml"), `repos:\n  - full_name: octo/x\n    commits:\n      - { sha: ${"b".repeat(40)}, message: m, files: nowhere }\n    branches: { main: ${"b".repeat(40)} }\n`);
    expect(() => loadSeed(readSeed(join(dir, "github.yaml")), dir)).to.throw(/files folder nowhere, which does not exist/);
  });

  it("rejects a broken seed naming the offending path", function () {
    const dir = mkdtempSync(join(tmpdir(), "gh-seed-"));
    const file = join(dir, "github.yaml");
    writeFileSync(file, "repos:\n  - full_name: octo/x\n    commits:\n      - { sha: nothex, message: m }\n");
    expect(() => readSeed(file)).to.throw(/repos\.0\.commits\.0\.sha/);
    writeFileSync(file, "repos:\n  - full_name: octo/x\n    branches: { main: " + "a".repeat(40) + " }\n");
    expect(() => loadSeed(readSeed(file), dir)).to.throw(/branch main points at unknown commit/);
  });
});
