import { expect } from "chai";
import { createTerminalNotifier } from "../../../src/chat/terminal/terminal-notifier.js";
import type { Reply } from "../../../src/core/reply.js";

// The terminal cannot rewrite a printed line: a post prints the message, an update prints a new line marked as an
// update of that message (its summary while in progress, the whole reply once final).

describe("terminal notifier", () => {
  it("prints a post with its id and each update as a new line marked as an update of it", async () => {
    const lines: string[] = [];
    const notifier = createTerminalNotifier((line) => void lines.push(line));
    const figures = (n: number): Reply => ({ summary: `canary: passing, round ${n}`, tone: "info", blocks: [{ type: "header", text: "github canary" }, { type: "fields", fields: [{ label: "Round", value: String(n) }] }] });
    const ref = (await notifier.post("CDEPLOYS", figures(1)))!;
    expect(ref.channel).to.equal("CDEPLOYS");
    expect(await notifier.update(ref, figures(2))).to.equal("updated");
    expect(await notifier.update(ref, { summary: "Aborted", tone: "error", blocks: [{ type: "text", text: "Aborted: error ratio 10.2% vs stable 0.3%" }] })).to.equal("updated");
    expect(lines).to.deep.equal([
      "[#CDEPLOYS] github canary\nRound: 1",
      `[#CDEPLOYS] (update of message ${ref.id}) canary: passing, round 2`,
      `[#CDEPLOYS] (update of message ${ref.id}) Aborted: error ratio 10.2% vs stable 0.3%`,
    ]);
    // Ids differ across notifiers (restarts): a stored reference never names another run's message.
    expect((await createTerminalNotifier(() => undefined).post("CDEPLOYS", figures(1)))!.id).to.not.equal(ref.id);
  });
});
