import { expect } from "chai";
import { channelMessage } from "../../src/core/channel-message.js";
import { textReply, type Reply } from "../../src/core/reply.js";
import type { MessageRef, Notifier } from "../../src/core/services.js";

// One message outside a request (a webhook's deploy): posted once, then updated in place with the newest state
// waiting; a message that is gone is posted anew and updated from then on.

function recordingNotifier() {
  const writes: string[] = [];
  const gone = new Set<string>();
  let release: (() => void) | undefined;
  let posted = 0;
  const notifier: Notifier = {
    post: async (channel, reply) => {
      writes.push(`post ${reply.summary}`);
      return { channel, id: `m${++posted}` };
    },
    // Each update waits until the test releases it, as a paced Slack update would.
    update: async (ref: MessageRef, reply: Reply) => {
      await new Promise<void>((r) => (release = r));
      if (gone.has(ref.id)) return "gone";
      writes.push(`update ${ref.id} ${reply.summary}`);
      return "updated";
    },
  };
  return { notifier, writes, gone, release: () => release?.() };
}

const settle = () => new Promise((r) => setImmediate(r));

describe("channelMessage", () => {
  it("posts the first state and updates it with the newest state waiting, skipping the ones it replaced", async () => {
    const n = recordingNotifier();
    const message = channelMessage(n.notifier, "CDEPLOYS", (err) => expect.fail(String(err)));
    message.send(textReply("resolving"));
    await settle();
    message.send(textReply("applying"));
    await settle();
    message.send(textReply("rollout 1/3"));
    message.send(textReply("rollout 2/3"));
    n.release();
    await settle();
    n.release();
    await message.flush();
    expect(n.writes).to.deep.equal(["post resolving", "update m1 applying", "update m1 rollout 2/3"]);
  });

  it("posts anew when the message is gone, and updates the new one; without a channel it writes nothing", async () => {
    const n = recordingNotifier();
    const message = channelMessage(n.notifier, "CDEPLOYS", (err) => expect.fail(String(err)));
    message.send(textReply("resolving"));
    await settle();
    n.gone.add("m1");
    message.send(textReply("applying"));
    await settle();
    n.release();
    await settle();
    message.send(textReply("deployed"));
    await settle();
    n.release();
    await message.flush();
    expect(n.writes).to.deep.equal(["post resolving", "post applying", "update m2 deployed"]);
    const silent = recordingNotifier();
    channelMessage(silent.notifier, undefined, () => undefined).send(textReply("x"));
    expect(silent.writes).to.deep.equal([]);
  });
});
