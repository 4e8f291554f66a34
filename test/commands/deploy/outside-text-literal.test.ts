import { expect } from "chai";
import { escapeMrkdwn, literalMrkdwn, renderBlocks } from "../../../src/chat/slack/render-blocks.js";
import type { Reply } from "../../../src/core/reply.js";
import { HOSTILE_TITLES } from "../../fixtures/slack/hostile-titles.js";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { REPO, SHAS } from "./helpers.js";

// Outside text renders literally in Slack: a PR title, a commit message and a lock reason full of Slack formatting
// (*bold*, _it_, ~strike~, backticks, a leading ">") go through real commands (router, sandbox) and the Block Kit
// renderer, and reach every mrkdwn string with no formatting character left that Slack could read, yet unchanged
// once shown (test/golden/slack/outside-text-literal.json pins the rendering itself).

/** Every mrkdwn string of a rendered reply (plain_text is shown as written). */
function mrkdwnOf(reply: Reply): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!v || typeof v !== "object") return;
    const o = v as Record<string, unknown>;
    if (o.type === "mrkdwn" && typeof o.text === "string") out.push(o.text);
    for (const child of Object.values(o)) walk(child);
  };
  walk(renderBlocks(reply).blocks);
  return out;
}

/** What Slack shows for literal mrkdwn: each date token's fallback, entities read, the soft hyphen invisible. */
function shown(mrkdwn: string): string {
  return mrkdwn.replace(/<!date\^00000000\^\{_\}\|([*_~`])>/g, "$1").replace(/\u00ad/g, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

describe("outside text renders literally in Slack (PR titles, commit messages, lock reasons)", function () {
  this.timeout(60_000);
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => h.stop());

  it("literal mrkdwn shows each hostile title as written, with no formatting character Slack reads", () => {
    for (const title of HOSTILE_TITLES) {
      const literal = literalMrkdwn(title);
      expect(shown(literal)).to.equal(title);
      expect(literal.replace(/<!date\^00000000\^\{_\}\|[*_~`]>/g, ""), title).not.to.match(/[*_~`]|(^|\n)&gt;/);
    }
  });

  HOSTILE_TITLES.forEach((title, i) => {
    it(`a PR titled ${JSON.stringify(title)}: the plan's target and what changed show it literally`, async () => {
      const number = 4960 + i;
      const sha = `ab${String(i).padStart(2, "0")}${"0".repeat(36)}`;
      const store = h.sandbox.github.store;
      store.addCommit(REPO, { sha, message: title, parents: [SHAS.main], author: "mallory" });
      store.addPull(REPO, { number, title, head: `hostile-${i}`, sha, user: "mallory" });
      store.setStatus(REPO, sha, "ci/image", "success");
      const t = await h.run(`/deploy PR${number} to staging --dry-run`, { user: "UADMIN", channel: "CDEPLOYS" });
      expect(t.final?.tone, t.text).to.not.equal("error");
      const strings = t.updates.flatMap(mrkdwnOf);
      const target = `PR #${number} "${literalMrkdwn(title)}" by mallory`;
      expect(strings.some((s) => s.includes(target)), `the Target field in ${JSON.stringify(strings)}`).to.equal(true);
      expect(strings.some((s) => s.includes(`\` ${literalMrkdwn(title)} (mallory)`)), "the commit in what changed").to.equal(true);
      // The title as plain escaped mrkdwn (what Slack would format) appears nowhere.
      if (/[*_~`]/.test(title)) expect(strings.some((s) => s.includes(escapeMrkdwn(title))), "the title unneutralised").to.equal(false);
    });
  });

  it("a lock reason shows literally in the lock reply and in the refusal of someone else's deploy", async () => {
    const reason = "*URGENT* _do not deploy_ ~ever~";
    const lock = await h.run(`/deploy lock github staging ${reason}`, { user: "UADMIN", channel: "CDEPLOYS" });
    expect(lock.final?.tone, lock.text).to.equal("success");
    expect(lock.updates.flatMap(mrkdwnOf).some((s) => s.includes(`: ${literalMrkdwn(reason)}.`)), lock.text).to.equal(true);
    const refused = await h.run("/deploy PR4812 to staging", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    const strings = refused.updates.flatMap(mrkdwnOf);
    expect(strings.some((s) => s.includes(literalMrkdwn(reason))), refused.text).to.equal(true);
    expect(strings.some((s) => s.includes(reason))).to.equal(false);
    await h.run("/deploy unlock github staging", { user: "UADMIN", channel: "CDEPLOYS" });
  });
});
