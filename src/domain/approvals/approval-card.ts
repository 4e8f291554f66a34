import { joinText, mention, outside, rich, type Block, type Reply, type Text } from "../../core/reply.js";
import type { ApprovalRequest } from "./approval-store.js";
import { approvalsOf } from "./approval-store.js";
import type { ApprovalRules, WhoMayApprove } from "./approval-rules.js";

// The approval card: the plan as the asker confirmed it, then who asked, who may approve, each vote so far, and
// Approve/Reject buttons (in the terminal, the lines to type). Once decided the deploy's own replies take its place.

/** "role admin or approver, group S0123 (@UADMIN2, @UAPPROVER); not the asker" */
export function describeApprovers(who: WhoMayApprove, rules: ApprovalRules): Text {
  const sources = [
    ...(who.roles.length ? [`role${who.roles.length > 1 ? "s" : ""} ${who.roles.join(" or ")}`] : []),
    ...(who.groups.length ? [`user group${who.groups.length > 1 ? "s" : ""} ${who.groups.join(" or ")}`] : []),
  ];
  const people = who.users.length ? rich` (${joinText(who.users.map(mention), ", ")})` : "";
  return rich`${sources.join(", ") || "nobody configured"}${people}${rules.allowSelf ? "" : "; not the asker"}`;
}

export function approvalNeed(rules: ApprovalRules): string {
  return `${rules.required} approval${rules.required > 1 ? "s" : ""}`;
}

export function approvalCard(request: ApprovalRequest, rules: ApprovalRules, who: WhoMayApprove, plan?: Reply, purpose: "deploy" | "break-glass" = "deploy"): Reply {
  const approvals = approvalsOf(request).length;
  const title = `Waiting for approval${purpose === "break-glass" ? " to break the glass" : ""}: deploy ${request.what} to ${request.app} ${request.env}`;
  // The plan as confirmed, under this card's own title. A diff too long to show inline went out whole with the
  // confirmation (a file in its thread, or the terminal's output): the card keeps the summary, so its buttons (or
  // the lines to type) stay the last thing shown.
  const shown = (b: Block) => b.type !== "header" && b.type !== "context" && b.type !== "actions" && !(plan?.attachment && b.type === "code");
  const blocks: Block[] = [{ type: "header", text: title }, ...(plan?.blocks.filter(shown) ?? [])];
  blocks.push(
    { type: "divider" },
    { type: "text", text: rich`*${purpose === "break-glass" ? "Breaking the glass needs" : `${request.env} needs`} ${approvalNeed(rules)}* before this deploy starts (${approvals} of ${rules.required} so far).` },
    {
      type: "fields",
      fields: [
        { label: "Asked by", value: mention(request.asker) },
        { label: "Who may approve", value: describeApprovers(who, rules) },
        { label: "Request", value: `\`${request.id}\`` },
        { label: "Times out", value: `${request.expiresAt.toISOString().replace(/\.\d+Z$/, "Z")} (${rules.timeoutMinutes} min)` },
      ],
    },
  );
  if (request.votes.length > 0) {
    blocks.push({
      type: "list",
      items: request.votes.map((v) =>
        v.vote === "approve" ? rich`✓ approved by ${mention(v.by)}` : rich`✗ rejected by ${mention(v.by)}${v.reason ? rich`: ${outside(v.reason)}` : ""}`,
      ),
    });
  }
  if (request.state === "pending") {
    blocks.push({
      type: "actions",
      buttons: [
        { label: "Approve", command: `/deploy approve ${request.id}`, style: "primary" },
        { label: "Reject", command: `/deploy reject ${request.id}`, style: "danger" },
      ],
    });
  }
  return { summary: title, tone: "info", blocks };
}
