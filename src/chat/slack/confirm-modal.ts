import { randomBytes } from "node:crypto";
import type { webApi } from "@slack/bolt";
import type { NamedConfirmation } from "../../core/command.js";
import type { Logger } from "../../core/logger.js";
import type { Reply } from "../../core/reply.js";
import { describeSlackError } from "./describe-slack-error.js";
import { renderBlocks, type SlackBlock } from "./render-blocks.js";

// The production confirmation as a modal (views.open with the slash command's trigger_id): the plan, a field where
// the asker types the environment's name, and an optional reason. A wrong name is a field error and runs nothing;
// closing the modal cancels. The modal is the asker's by construction; the submitter's id is checked anyway.

export const CONFIRM_MODAL = "tugboat_confirm_modal";
const NAME_BLOCK = "tugboat_confirm_name";
const REASON_BLOCK = "tugboat_confirm_reason";
const INPUT = "value";
/** Slack's limits: 100 blocks in a modal (two are ours), and the GitHub deployment description's room for a reason. */
const MODAL_BLOCKS = 100;
const REASON_MAX = 100;

export interface ModalRequest {
  triggerId: string;
  userId: string;
  plan: Reply;
  /** What the asker must type: the environment's name. */
  name: string;
}

/** The view's state as Slack sends it with view_submission. */
export type ViewValues = Record<string, Record<string, { value?: string | null }>>;

interface Pending {
  userId: string;
  name: string;
  timer: NodeJS.Timeout;
  resolve: (answer: NamedConfirmation) => void;
}

export class ConfirmModals {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly opts: { client: webApi.WebClient; log: Logger; timeoutSeconds: number }) {}

  /** Opens the modal and waits for the answer; undefined when Slack would not open it (e.g. an expired trigger_id). */
  async ask(request: ModalRequest): Promise<NamedConfirmation | undefined> {
    const id = randomBytes(12).toString("hex");
    const rendered = renderBlocks(request.plan, { reserveBlocks: 2, reserveChars: 400 });
    const plan = rendered.blocks.slice(0, MODAL_BLOCKS - 2);
    const answer = new Promise<NamedConfirmation>((resolve) => {
      const timer = setTimeout(() => this.finish(id, { answer: "timeout" }), this.opts.timeoutSeconds * 1000);
      this.pending.set(id, { userId: request.userId, name: request.name, timer, resolve });
    });
    try {
      await this.opts.client.views.open({ trigger_id: request.triggerId, view: modalView(id, request.name, plan) });
    } catch (err) {
      this.opts.log.warn("could not open the confirmation modal", { reason: describeSlackError(err) });
      const p = this.pending.get(id);
      if (p) clearTimeout(p.timer);
      this.pending.delete(id);
      return undefined;
    }
    return answer;
  }

  /** A view_submission: the field errors to answer with, or undefined when the modal may close. */
  submit(id: string, userId: string, values: ViewValues): { response_action: "errors"; errors: Record<string, string> } | undefined {
    const p = this.pending.get(id);
    // Timed out, Tugboat restarted, or (with several replicas) another replica asked: said in the modal, never taken.
    if (!p) return { response_action: "errors", errors: { [NAME_BLOCK]: "This confirmation is no longer open here; nothing was done. Close this and run the command again." } };
    if (userId !== p.userId) return { response_action: "errors", errors: { [NAME_BLOCK]: "Only the person who asked can confirm this." } };
    const typed = (values[NAME_BLOCK]?.[INPUT]?.value ?? "").trim();
    if (typed !== p.name) return { response_action: "errors", errors: { [NAME_BLOCK]: `Type ${p.name} to confirm; nothing was done.` } };
    const reason = oneLine(values[REASON_BLOCK]?.[INPUT]?.value ?? "");
    this.finish(id, reason ? { answer: "confirmed", reason } : { answer: "confirmed" });
    return undefined;
  }

  /** A view_closed: the asker cancelled. */
  close(id: string, userId: string): void {
    if (this.pending.get(id)?.userId === userId) this.finish(id, { answer: "cancelled" });
  }

  /** Shutdown: every open modal's command sees a time-out. */
  closeAll(): void {
    for (const id of [...this.pending.keys()]) this.finish(id, { answer: "timeout" });
  }

  private finish(id: string, answer: NamedConfirmation): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    p.resolve(answer);
  }
}

/** Control characters and runs of spaces out, bounded: the reason goes to GitHub and the audit. */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]+/g, " ").replace(/\s+/g, " ").trim().slice(0, REASON_MAX);
}

function modalView(id: string, name: string, plan: SlackBlock[]) {
  return {
    type: "modal" as const,
    callback_id: CONFIRM_MODAL,
    private_metadata: id,
    notify_on_close: true,
    title: { type: "plain_text" as const, text: "Confirm the deploy" },
    submit: { type: "plain_text" as const, text: "Deploy" },
    close: { type: "plain_text" as const, text: "Cancel" },
    blocks: [
      ...plan,
      {
        type: "input",
        block_id: NAME_BLOCK,
        label: { type: "plain_text", text: `Type ${name} to confirm`.slice(0, 2000) },
        element: { type: "plain_text_input", action_id: INPUT, max_length: 253 },
      },
      {
        type: "input",
        block_id: REASON_BLOCK,
        optional: true,
        label: { type: "plain_text", text: "Reason (goes to the GitHub deployment and the audit log)" },
        element: { type: "plain_text_input", action_id: INPUT, max_length: REASON_MAX },
      },
    ],
  };
}
