import type { Block, CommandButton } from "../../core/reply.js";
import type { DeployEvent, DeployRun } from "./deploy-events.js";

// Buttons on a deploy's final message. Each runs a command line as whoever presses it, through the router like the
// typed line, so the presser's own permissions decide (a viewer's Rollback is refused as a typed rollback would be).
// The lines name the app and environment explicitly: a press in another channel must not pick another default app.

/** The same deploy again: the PR (its checks run again on its current head) or else the exact commit. */
function retryLine(run: DeployRun): string {
  const what = run.target.pr ? `PR${run.target.pr.number}` : run.target.sha;
  return `/deploy ${run.env.app} ${what} to ${run.env.env}`;
}

/** What a person may want next after this event, as buttons (none for events that are not a final result). */
export function deployResultButtons(e: DeployEvent): CommandButton[] {
  switch (e.type) {
    case "succeeded": {
      const { app, env, canary } = e.run.env;
      if (canary) {
        return [
          { label: "Promote", command: `/canary promote ${app}`, style: "primary" },
          { label: "Abort", command: `/canary abort ${app}`, style: "danger" },
        ];
      }
      return [{ label: "Rollback", command: `/deploy rollback ${app} ${env}`, style: "danger" }];
    }
    case "failed":
    case "rolled-back":
      return [{ label: "Retry", command: retryLine(e.run) }];
    default:
      return [];
  }
}

/** The `actions` block for `buttons`, or nothing when there are none. */
export function buttonBlocks(buttons: CommandButton[]): Block[] {
  return buttons.length > 0 ? [{ type: "actions", buttons }] : [];
}
