import { expect } from "chai";
import { SlackStandIn, type RecordedCall } from "./helpers/slack-stand-in.js";
import { buttonPressBody, postSigned, slashCommandBody } from "./helpers/signed-request.js";
import { startSandboxBot, type SandboxBot } from "./helpers/sandbox-bot.js";
import { REPO, SHAS } from "../../commands/deploy/helpers.js";
import { eventually } from "../../helpers/manual-clock.js";

// Buttons on results over Slack (the real adapter in HTTP mode, the stand-in, the sandbox): a finished deploy offers
// Rollback, a live canary Promote/Abort, a lock Unlock. A press runs the button's line as the presser through the
// router, so the presser's own permissions decide: a press by someone without them is refused and changes nothing.

const FORM = "application/x-www-form-urlencoded";

interface Button {
  action_id: string;
  value: string;
  text: { text: string };
}

function buttonsOf(call: RecordedCall): Button[] {
  const blocks = (call.args.blocks ?? []) as Array<{ type: string; elements?: Button[] }>;
  return blocks.filter((b) => b.type === "actions").flatMap((b) => b.elements ?? []);
}

describe("buttons on results over Slack (adapter, stand-in, sandbox)", function () {
  this.timeout(90_000);
  let standIn: SlackStandIn;
  let bot: SandboxBot;

  beforeEach(async () => {
    standIn = await new SlackStandIn().start();
    bot = await startSandboxBot({ standIn });
  });
  afterEach(async () => {
    await bot.stop();
    await standIn.stop();
  });

  let sent = 0;
  const slash = (command: string, text: string, user: string) =>
    postSigned(bot.eventsUrl, slashCommandBody({ command, text, user_id: user, channel_id: "CDEPLOYS", response_url: standIn.responseUrl(`cmd-${++sent}`) }), FORM);
  let presses = 0;
  const press = async (button: Button, userId: string, ts: string) => {
    await postSigned(bot.eventsUrl, buttonPressBody({ actionId: button.action_id, value: button.value, userId, channel: "CDEPLOYS", messageTs: ts, responseUrl: standIn.responseUrl(`press-${++presses}`) }), FORM);
    return presses;
  };
  const messages = () => [...standIn.callsTo("chat.postMessage"), ...standIn.callsTo("chat.update")];
  const answersTo = (n: number) => standIn.responses.filter((r) => r.path.endsWith(`press-${n}`)).map((r) => String(r.payload.text));
  const texts = () => messages().map((c) => String(c.args.text));

  /** The last message whose text starts with `prefix`, with its ts and buttons by label. */
  async function resultMessage(prefix: string): Promise<{ ts: string; buttons: Map<string, Button> }> {
    await standIn.waitFor(() => texts().some((t) => t.startsWith(prefix)), 40_000, `a message starting "${prefix}"`).catch((err: Error) => {
      throw new Error(`${err.message}; messages: ${texts().join(" | ")}`);
    });
    const call = messages().filter((c) => String(c.args.text).startsWith(prefix)).at(-1)!;
    return { ts: String(call.args.ts ?? call.result.ts), buttons: new Map(buttonsOf(call).map((b) => [b.text.text, b])) };
  }

  it("Rollback on a finished deploy: a viewer's press is refused and rolls nothing back; a deployer's rolls back", async () => {
    await slash("/deploy", "PR4812 to staging", "UDEPLOYER");
    const done = await resultMessage("Deployed PR #4812");
    const rollback = done.buttons.get("Rollback")!;
    expect(rollback.value).to.equal("/deploy rollback github staging");

    const viewer = await press(rollback, "UVIEWER", done.ts);
    await standIn.waitFor(() => answersTo(viewer).some((t) => t.includes("deploy:staging")), 10_000, "the viewer's refusal");
    expect(texts().some((t) => /rolled back/i.test(t) && !t.startsWith("Deployed")), "nothing rolled back").to.equal(false);
    await eventually("the viewer's denial in the audit", () => bot.audit.some((e) => e.actor === "UVIEWER" && e.decision === "denied" && e.command === "/deploy rollback github staging"), 10_000);

    await press(rollback, "UDEPLOYER", done.ts);
    await eventually("the deployer's rollback", () => bot.audit.some((e) => e.actor === "UDEPLOYER" && e.command === "/deploy rollback github staging" && e.outcome === "success"), 40_000);
  });

  it("Promote/Abort on a live canary: promoting needs canary:promote (the deployer's press is refused), aborting is theirs", async () => {
    await slash("/deploy", "PR4812 to canary", "UDEPLOYER");
    const live = await resultMessage("Canary of PR #4812");
    expect(live.buttons.get("Promote")!.value).to.equal("/canary promote github");
    expect(live.buttons.get("Abort")!.value).to.equal("/canary abort github");

    const promote = await press(live.buttons.get("Promote")!, "UDEPLOYER", live.ts);
    await standIn.waitFor(() => answersTo(promote).some((t) => t.includes("canary:promote")), 10_000, "the refused promotion");
    expect(bot.sandbox.github.store.deployments(REPO).filter((d: { environment: string; sha: string }) => d.environment === "production" && d.sha === SHAS.pr4812)).to.have.length(0);

    await press(live.buttons.get("Abort")!, "UDEPLOYER", live.ts);
    await eventually("the abort", () => bot.audit.some((e) => e.actor === "UDEPLOYER" && e.command === "/canary abort github" && e.outcome === "success"), 40_000);
  });

  it("Unlock on a lock message: a viewer's press is refused and the lock holds; the owner's press lifts it", async () => {
    await slash("/deploy", "lock github staging maintenance", "UADMIN");
    const locked = await resultMessage("Locked github staging");
    const unlock = locked.buttons.get("Unlock")!;
    expect(unlock.value).to.equal("/deploy unlock github staging");

    const viewer = await press(unlock, "UVIEWER", locked.ts);
    await standIn.waitFor(() => answersTo(viewer).some((t) => t.includes("deploy:unlock:staging")), 10_000, "the viewer's refusal");
    const owner = await press(unlock, "UADMIN", locked.ts);
    await standIn.waitFor(() => answersTo(owner).some((t) => t.startsWith("Unlocked github staging")), 10_000, "the owner's unlock");
  });
});
