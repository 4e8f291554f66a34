import { expect } from "chai";
import { labIntent, type AutoLabConfig } from "../../src/webhooks/labs-from-pulls.js";
import type { PullRequestEvent } from "../../src/webhooks/payloads.js";

// Which pull_request deliveries bring a PR's lab up or take it down (reviewlab.auto).

const auto: AutoLabConfig = { label: "review-lab", drafts: false, ignoreLabels: ["no-lab"] };

function event(action: string, labels: string[], opts: { label?: string; draft?: boolean; state?: "open" | "closed"; merged?: boolean; fork?: string } = {}): PullRequestEvent {
  return {
    action,
    number: 4816,
    label: opts.label === undefined ? undefined : { name: opts.label },
    repository: { full_name: "octo/github" },
    sender: { login: "octocat" },
    pull_request: {
      number: 4816,
      state: opts.state ?? "open",
      merged: opts.merged ?? false,
      draft: opts.draft ?? false,
      title: "A change",
      user: { login: "octocat" },
      head: { ref: "feature/x", sha: "a".repeat(40), repo: { full_name: opts.fork ?? "octo/github" } },
      base: { ref: "main" },
      labels: labels.map((name) => ({ name })),
      merge_commit_sha: null,
      html_url: "https://github.com/octo/github/pull/4816",
    },
  };
}

describe("labIntent (review labs from pull requests)", () => {
  it("the lab's label brings it up, its removal takes it down; other labels change nothing", () => {
    expect(labIntent(event("labeled", ["review-lab"], { label: "review-lab" }), auto)).to.equal("up");
    expect(labIntent(event("unlabeled", [], { label: "review-lab" }), auto)).to.equal("down");
    expect(labIntent(event("labeled", ["review-lab", "bug"], { label: "bug" }), auto)).to.equal(undefined);
    expect(labIntent(event("unlabeled", ["review-lab"], { label: "bug" }), auto)).to.equal(undefined);
  });

  it("a push or a reopen re-ups a labelled PR's lab; closing or merging a labelled PR removes it", () => {
    expect(labIntent(event("synchronize", ["review-lab"]), auto)).to.equal("up");
    expect(labIntent(event("synchronize", []), auto)).to.equal(undefined);
    expect(labIntent(event("reopened", ["review-lab"]), auto)).to.equal("up");
    expect(labIntent(event("closed", ["review-lab"], { state: "closed", merged: true }), auto)).to.equal("down");
    // An unlabelled PR's lab (brought up from chat) is left to the reaper.
    expect(labIntent(event("closed", [], { state: "closed" }), auto)).to.equal(undefined);
  });

  it("drafts have no lab unless reviewlab.auto.drafts; an ignore label keeps a PR labless", () => {
    expect(labIntent(event("labeled", ["review-lab"], { label: "review-lab", draft: true }), auto)).to.equal("down");
    expect(labIntent(event("labeled", ["review-lab"], { label: "review-lab", draft: true }), { ...auto, drafts: true })).to.equal("up");
    expect(labIntent(event("converted_to_draft", ["review-lab"], { draft: true }), auto)).to.equal("down");
    expect(labIntent(event("ready_for_review", ["review-lab"]), auto)).to.equal("up");
    expect(labIntent(event("labeled", ["review-lab", "no-lab"], { label: "no-lab" }), auto)).to.equal("down");
    expect(labIntent(event("unlabeled", ["review-lab"], { label: "no-lab" }), auto)).to.equal("up");
    expect(labIntent(event("synchronize", ["review-lab", "no-lab"]), auto)).to.equal(undefined);
  });

  it("a fork's PR gets nothing from its events: its author's pushes would re-up the lab unreviewed", () => {
    const fork = { fork: "mallory/github" };
    expect(labIntent(event("labeled", ["review-lab"], { label: "review-lab", ...fork }), auto)).to.equal(undefined);
    expect(labIntent(event("synchronize", ["review-lab"], fork), auto)).to.equal(undefined);
    expect(labIntent(event("reopened", ["review-lab"], fork), auto)).to.equal(undefined);
    expect(labIntent(event("ready_for_review", ["review-lab"], fork), auto)).to.equal(undefined);
    // GitHub compares repository names without case: the repository's own branch in other letters is its own.
    expect(labIntent(event("labeled", ["review-lab"], { label: "review-lab", fork: "Octo/GitHub" }), auto)).to.equal("up");
  });
});
