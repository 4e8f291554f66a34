import { expect } from "chai";
import { useSlashSession } from "./helpers/slash-session.js";
import { postSigned, viewPayloadBody } from "./helpers/signed-request.js";
import { REPO } from "../../commands/deploy/helpers.js";
import { eventually } from "../../helpers/manual-clock.js";

// The production confirmation as a modal over the real adapter (HTTP mode), the stand-in's views.open and the
// sandbox: the person types the environment's name; a wrong name is a field error, closing cancels, and a
// trigger_id Slack no longer honours falls back to Confirm/Cancel in the channel.

const FORM = "application/x-www-form-urlencoded";

describe("production confirmation in a Slack modal (adapter, stand-in, sandbox)", function () {
  this.timeout(60_000);
  const s = useSlashSession();
  const productionDeployments = () => s.bot.sandbox.github.store.deployments(REPO).filter((d: { environment: string }) => d.environment === "production");

  async function openedModal(): Promise<Record<string, any>> {
    await s.standIn.waitFor(() => s.standIn.callsTo("views.open").some((c) => c.result.ok), 20_000, "the modal");
    return s.standIn.callsTo("views.open").find((c) => c.result.ok)!.args.view as Record<string, any>;
  }
  const submit = (view: Record<string, any>, userId: string, name: string, reason?: string) =>
    postSigned(s.bot.eventsUrl, viewPayloadBody({ type: "view_submission", userId, view, values: { tugboat_confirm_name: { value: name }, tugboat_confirm_reason: { value: reason ?? "" } } }), FORM);

  it("shows the plan and refuses a wrong name (or another person) with a field error; the right name deploys with the reason in the GitHub deployment and the audit", async () => {
    await s.slash("PR4812 to production", "UADMIN", { triggerId: s.standIn.issueTrigger() });
    const view = await openedModal();
    expect(view.notify_on_close).to.equal(true);
    expect(JSON.stringify(view.blocks)).to.include("PR #4812");
    expect(s.posted().join("\n")).not.to.include("tugboat_confirm\"");

    const wrong = await submit(view, "UADMIN", "staging");
    expect(wrong.status).to.equal(200);
    expect(JSON.parse(wrong.body)).to.deep.equal({ response_action: "errors", errors: { tugboat_confirm_name: "Type production to confirm; nothing was done." } });
    const stranger = await submit(view, "UVIEWER", "production");
    expect(JSON.parse(stranger.body).response_action).to.equal("errors");
    expect(productionDeployments()).to.have.length(0);

    const right = await submit(view, "UADMIN", " production ", "hotfix\nfor INC-42");
    expect(right.body).to.equal("");
    await eventually("the production deployment", () => productionDeployments().length === 1, 30_000);
    expect(productionDeployments()[0]!.description).to.match(/: hotfix for INC-42$/);
    await eventually("the audit entry", () => s.bot.audit.some((e) => e.command === "/deploy PR4812 to production" && e.outcome === "success"), 30_000);
    const entry = s.bot.audit.find((e) => e.command === "/deploy PR4812 to production")!;
    expect(entry.details?.confirmReason).to.equal("hotfix for INC-42");
    expect(entry.details?.givenReason).to.equal("hotfix for INC-42");
  });

  it("closing the modal cancels: nothing is deployed", async () => {
    await s.slash("PR4812 to production", "UADMIN", { triggerId: s.standIn.issueTrigger() });
    const view = await openedModal();
    await postSigned(s.bot.eventsUrl, viewPayloadBody({ type: "view_closed", userId: "UADMIN", view }), FORM);
    await eventually("the cancellation", () => s.bot.audit.some((e) => e.command === "/deploy PR4812 to production" && e.outcome === "cancelled"), 20_000);
    expect(productionDeployments()).to.have.length(0);
    // A submission after that is refused in the modal, not taken.
    const late = await postSigned(s.bot.eventsUrl, viewPayloadBody({ type: "view_submission", userId: "UADMIN", view, values: { tugboat_confirm_name: { value: "production" } } }), FORM);
    expect(JSON.parse(late.body).errors.tugboat_confirm_name).to.include("no longer open");
    expect(productionDeployments()).to.have.length(0);
  });

  it("an expired trigger_id falls back to Confirm/Cancel in the channel, and says so", async () => {
    const trigger = s.standIn.issueTrigger();
    const now = s.standIn.now;
    s.standIn.now = () => now() + 3_500;
    await s.slash("PR4812 to production", "UADMIN", { triggerId: trigger });
    await s.standIn.waitFor(() => s.posted().some((p) => p.includes("tugboat_confirm")), 20_000, "the Confirm/Cancel prompt");
    expect(s.standIn.callsTo("views.open").map((c) => c.result.error)).to.deep.equal(["expired_trigger_id"]);
    expect(s.standIn.responses.map((r) => String(r.payload.text)).join("\n")).to.include("couldn't open the confirmation dialog");
  });
});
