import { expect } from "chai";
import { SlackStandIn, type RecordedCall } from "./helpers/slack-stand-in.js";
import { buttonPressBody, postSigned, slashCommandBody } from "./helpers/signed-request.js";
import { startSandboxBot, type SandboxBot } from "./helpers/sandbox-bot.js";
import { REPO } from "../../commands/deploy/helpers.js";
import { eventually } from "../../helpers/manual-clock.js";

// Approvals over Slack: the real adapter (HTTP mode) and the sandbox, the Web API pointed at the stand-in. The card
// is the deploy's own message with Approve/Reject buttons; a press runs `/deploy approve ID` as the presser, on
// whichever replica Slack delivers it to, and what the command answers goes to the presser alone.

const FORM = "application/x-www-form-urlencoded";

interface Button {
  action_id: string;
  value: string;
}

function buttonsOf(call: RecordedCall): Button[] {
  const blocks = (call.args.blocks ?? []) as Array<{ type: string; elements?: Button[] }>;
  return blocks.filter((b) => b.type === "actions").flatMap((b) => b.elements ?? []);
}

describe("approvals over Slack (adapter, stand-in, sandbox)", function () {
  this.timeout(90_000);
  let standIn: SlackStandIn;
  let bot: SandboxBot;
  let other: SandboxBot | undefined;

  beforeEach(async () => {
    standIn = await new SlackStandIn().start();
    bot = await startSandboxBot({ standIn, approvals: true });
  });
  afterEach(async () => {
    await other?.stop();
    other = undefined;
    await bot.stop();
    await standIn.stop();
  });

  const slash = (text: string, user = "UADMIN") =>
    postSigned(bot.eventsUrl, slashCommandBody({ command: "/deploy", text, user_id: user, channel_id: "CDEPLOYS", response_url: standIn.responseUrl(`cmd-${user}-${text.length}`) }), FORM);
  let presses = 0;
  const press = (url: string, actionId: string, value: string, userId: string, ts: string) =>
    postSigned(url, buttonPressBody({ actionId, value, userId, channel: "CDEPLOYS", messageTs: ts, responseUrl: standIn.responseUrl(`press-${++presses}`) }), FORM);
  const messages = () => [...standIn.callsTo("chat.postMessage"), ...standIn.callsTo("chat.update")];
  const answersTo = (n: number) => standIn.responses.filter((r) => r.path.endsWith(`press-${n}`)).map((r) => String(r.payload.text));
  const productionDeployments = () => bot.sandbox.github.store.deployments(REPO).filter((d: { environment: string }) => d.environment === "production");

  /** Confirms the plan (as the asker), then returns the card's message ts and its two buttons. */
  async function confirmAndWaitForCard(): Promise<{ ts: string; approve: Button; reject: Button }> {
    await standIn.waitFor(() => standIn.callsTo("chat.postMessage").some((c) => JSON.stringify(c.args.blocks ?? []).includes("tugboat_confirm")), 20_000, "the Confirm/Cancel prompt").catch((err: Error) => {
      throw new Error(`${err.message}; messages: ${messages().map((c) => c.args.text).join(" | ")}`);
    });
    const prompt = standIn.callsTo("chat.postMessage").find((c) => JSON.stringify(c.args.blocks ?? []).includes("tugboat_confirm"))!;
    const confirmId = (prompt.args.blocks as Array<{ type: string; elements?: Button[] }>).find((b) => b.type === "actions")!.elements![0]!.value;
    await press(bot.eventsUrl, "tugboat_confirm", confirmId, "UADMIN", prompt.result.ts);
    await standIn.waitFor(() => messages().some((c) => buttonsOf(c).length > 0 && buttonsOf(c)[0]!.action_id.startsWith("tugboat_command_")), 20_000, "the approval card");
    const card = messages().find((c) => buttonsOf(c).some((b) => b.action_id.startsWith("tugboat_command_")))!;
    const [approve, reject] = buttonsOf(card);
    return { ts: String(card.args.ts ?? card.result.ts), approve: approve!, reject: reject! };
  }

  it("done when (Slack): UADMIN's deploy waits with Approve/Reject on its message; UADMIN's own press is refused privately; UAPPROVER's press deploys it, and the card becomes the progress message", async () => {
    const asked = slash("PR4812 to production");
    expect((await asked).status).to.equal(200);
    const card = await confirmAndWaitForCard();
    expect(card.approve.value).to.match(/^\/deploy approve [0-9a-f]{8}$/);
    expect(card.reject.value).to.equal(card.approve.value.replace("approve", "reject"));
    const cardCall = messages().find((c) => buttonsOf(c).length > 0 && c.args.blocks.some((b: { type: string }) => b.type === "actions" && JSON.stringify(b).includes("tugboat_command_")))!;
    expect(JSON.stringify(cardCall.args.blocks)).to.include("Who may approve");
    expect(productionDeployments()).to.have.length(0);

    // The asker presses Approve: refused, told privately, nothing posted in the channel.
    const channelPostsBefore = standIn.callsTo("chat.postMessage").length;
    await press(bot.eventsUrl, card.approve.action_id, card.approve.value, "UADMIN", card.ts);
    const selfPress = presses;
    await standIn.waitFor(() => answersTo(selfPress).some((t) => t.includes("Denied: you asked for this deploy")), 10_000, "the refusal of a self-approval");
    expect(standIn.responses.find((r) => r.path.endsWith(`press-${selfPress}`))!.payload.response_type).to.equal("ephemeral");
    expect(standIn.callsTo("chat.postMessage").length).to.equal(channelPostsBefore);

    // A viewer's press: refused (no deploy:approve).
    await press(bot.eventsUrl, card.approve.action_id, card.approve.value, "UVIEWER", card.ts);
    const viewerPress = presses;
    await standIn.waitFor(() => answersTo(viewerPress).some((t) => t.includes("deploy:approve")), 10_000, "the viewer's refusal");

    await press(bot.eventsUrl, card.approve.action_id, card.approve.value, "UAPPROVER", card.ts);
    const approverPress = presses;
    await standIn.waitFor(() => answersTo(approverPress).some((t) => t.startsWith("Approved the deploy of PR #4812 (eed486a) to github production") && t.includes("1 of 1")), 10_000, "the approver's confirmation");
    await standIn.waitFor(() => standIn.callsTo("chat.update").some((c) => c.args.ts === card.ts && String(c.args.text).startsWith("Deployed PR #4812")), 30_000, "the deploy's final state on the card's message");
    const updates = standIn.callsTo("chat.update").filter((c) => c.args.ts === card.ts);
    expect(buttonsOf(updates.at(-1)!).map((b) => b.value), "no Approve/Reject once it runs; the result's Rollback").to.deep.equal(["/deploy rollback github production"]);
    expect(productionDeployments()).to.have.length(1);
    await eventually("the deploy's audit entry", () => bot.audit.some((e) => e.command === "/deploy PR4812 to production"), 10_000);
    expect(bot.audit.find((e) => e.command === "/deploy PR4812 to production")?.outcome).to.equal("success");
    expect(bot.audit.filter((e) => e.actor === "UADMIN" && e.decision === "denied" && e.command.startsWith("/deploy approve"))).to.have.length(1);
  });

  it("a command button answers the presser alone; while Tugboat stops, a press is told so and runs nothing", async () => {
    await press(bot.eventsUrl, "tugboat_command_0", "/deploy approve 0123abcd", "UAPPROVER", "1700000000.000100");
    const open = presses;
    await standIn.waitFor(() => answersTo(open).some((t) => t.includes("Approval request 0123abcd is not open")), 10_000, "the private answer");
    expect(standIn.responses.find((r) => r.path.endsWith(`press-${open}`))!.payload.response_type).to.equal("ephemeral");
    await eventually("the press's audit entry", () => bot.audit.some((e) => e.actor === "UAPPROVER" && e.command === "/deploy approve 0123abcd"), 10_000);

    await bot.adapter.quiesce();
    const audited = bot.audit.length;
    await press(bot.eventsUrl, "tugboat_command_0", "/deploy approve 0123abcd", "UAPPROVER", "1700000000.000100");
    const late = presses;
    await standIn.waitFor(() => answersTo(late).some((t) => t.includes("Tugboat is restarting")), 10_000, "the restarting answer");
    expect(bot.audit.length).to.equal(audited);
  });

  it("an Approve pressed on the other replica counts; a Reject ends it there too", async () => {
    other = await startSandboxBot({ standIn, approvals: true, sandbox: bot.sandbox });
    await slash("PR4812 to production");
    const card = await confirmAndWaitForCard();
    await press(other.eventsUrl, card.approve.action_id, card.approve.value, "UADMIN2", card.ts);
    await standIn.waitFor(() => standIn.callsTo("chat.update").some((c) => c.args.ts === card.ts && String(c.args.text).startsWith("Deployed PR #4812")), 30_000, "the deploy after an approval on the other replica");
    expect(other.audit.some((e) => e.actor === "UADMIN2" && e.outcome === "success" && e.command.startsWith("/deploy approve"))).to.equal(true);
    expect(productionDeployments()).to.have.length(1);

    standIn.reset();
    await slash("github PR4812 to production");
    const second = await confirmAndWaitForCard();
    await press(other.eventsUrl, second.reject.action_id, second.reject.value, "UAPPROVER", second.ts);
    await standIn.waitFor(() => standIn.callsTo("chat.update").some((c) => c.args.ts === second.ts && String(c.args.text).startsWith("Not approved")), 30_000, "the rejection");
    expect(productionDeployments()).to.have.length(1);
  });
});
