import { expect } from "chai";
import { connect, type Socket } from "node:net";
import sinon from "sinon";
import { AckFirst } from "../../../src/chat/slack/ack-first.js";
import { SlackStandIn } from "./helpers/slack-stand-in.js";
import { postSigned, slashCommandBody } from "./helpers/signed-request.js";
import { startTestBot, type TestBot } from "./helpers/test-bot.js";

// Acks before commands (src/chat/slack/ack-first.ts): a command starts once no Slack request waits for its ack, so a
// burst's acks are not queued behind the commands of the requests that came first.

describe("ack first: commands start after the acks of requests that arrived with them", () => {
  describe("the scheduler", () => {
    let clock: sinon.SinonFakeTimers;
    let errors: unknown[];
    beforeEach(() => {
      clock = sinon.useFakeTimers({ toFake: ["setImmediate", "setTimeout", "clearTimeout", "performance"] });
      errors = [];
    });
    afterEach(() => clock.restore());

    const scheduler = (maxWaitMs = 250) => new AckFirst((err) => errors.push(err), maxWaitMs, () => clock.now);

    it("starts a command on a later turn of the event loop, not within its own handler, when nothing waits", async () => {
      const acks = scheduler();
      const started: string[] = [];
      acks.start(() => started.push("a"));
      expect(started).to.deep.equal([]);
      await clock.tickAsync(0);
      expect(started).to.deep.equal(["a"]);
    });

    it("holds commands while a request waits for its ack, and starts them in order once it is answered", async () => {
      const acks = scheduler();
      const started: string[] = [];
      acks.arrived();
      acks.start(() => started.push("a"));
      acks.start(() => started.push("b"));
      await clock.tickAsync(100);
      expect(started).to.deep.equal([]);
      acks.arrived();
      acks.answered();
      await clock.tickAsync(10);
      expect(started, "one request still waits").to.deep.equal([]);
      acks.answered();
      expect(acks.waitingForAck()).to.equal(0);
      await clock.tickAsync(1);
      expect(started, "the last request arrived 11 ms ago: within the quiet period").to.deep.equal([]);
      await clock.tickAsync(11);
      expect(started).to.deep.equal(["a", "b"]);
    });

    it("holds commands through a burst arriving a few requests at a time (new connections), until quietMs after the last", async () => {
      const acks = scheduler();
      const started: string[] = [];
      // The first request of a burst is acked at once and its command queued; the others arrive every 5 ms, each
      // acked before the next arrives, so between two of them nothing waits for an ack.
      acks.arrived();
      acks.answered();
      acks.start(() => started.push("first"));
      for (let i = 0; i < 10; i++) {
        await clock.tickAsync(5);
        expect(started, `request ${i + 2} of the burst is still to come`).to.deep.equal([]);
        acks.arrived();
        acks.answered();
      }
      await clock.tickAsync(19);
      expect(started).to.deep.equal([]);
      await clock.tickAsync(2);
      expect(started).to.deep.equal(["first"]);
    });

    it("starts one command a turn, and a request arriving between two starts is acked before the next", async () => {
      const acks = scheduler();
      const started: string[] = [];
      acks.start(() => {
        started.push("a");
        // A request read while the loop runs: the next command waits for its ack.
        acks.arrived();
      });
      acks.start(() => started.push("b"));
      await clock.tickAsync(50);
      expect(started).to.deep.equal(["a"]);
      acks.answered();
      await clock.tickAsync(1);
      expect(started).to.deep.equal(["a", "b"]);
    });

    it("starts a command after maxWaitMs even while requests keep waiting, so a steady stream cannot starve it", async () => {
      const acks = scheduler(250);
      const started: string[] = [];
      acks.arrived();
      acks.start(() => started.push("a"));
      await clock.tickAsync(249);
      expect(started).to.deep.equal([]);
      await clock.tickAsync(2);
      expect(started).to.deep.equal(["a"]);
      expect(acks.waitingForAck()).to.equal(1);
    });

    it("release() starts everything queued at once (shutdown); a failing start is reported and the others still run", async () => {
      const acks = scheduler();
      const started: string[] = [];
      acks.arrived();
      acks.start(() => {
        throw new Error("boom");
      });
      acks.start(() => started.push("b"));
      acks.release();
      expect(started).to.deep.equal(["b"]);
      expect(errors).to.have.length(1);
      await clock.tickAsync(1000);
      expect(started).to.deep.equal(["b"]);
    });
  });

  describe("through the Slack HTTP receiver", function () {
    this.timeout(10_000);
    let standIn: SlackStandIn;
    let bot: TestBot | undefined;
    let held: Socket | undefined;

    before(async () => {
      standIn = await new SlackStandIn().start();
    });
    after(async () => {
      await standIn.stop();
    });
    afterEach(async () => {
      held?.destroy();
      held = undefined;
      await bot?.stop();
      bot = undefined;
      standIn.reset();
    });

    /** A request to /slack/events whose headers have arrived but whose body has not: it waits for its answer. */
    async function holdARequest(target: TestBot): Promise<{ socket: Socket; finish(): Promise<string> }> {
      const port = Number(new URL(target.eventsUrl).port);
      const socket = connect(port, "127.0.0.1");
      await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
      const body = "token=x&command=%2Fecho&text=hi";
      const answer = new Promise<string>((resolve) => {
        let text = "";
        socket.on("data", (d) => (text += String(d)));
        socket.on("close", () => resolve(text));
      });
      await new Promise<void>((resolve) =>
        socket.write(
          `POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nX-Slack-Request-Timestamp: ${Math.floor(Date.now() / 1000)}\r\nX-Slack-Signature: v0=00\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
          () => resolve(),
        ),
      );
      // One full round trip through the server after the headers were written: it has read them by then.
      expect((await fetch(`${target.baseUrl}/healthz`)).status).to.equal(200);
      return {
        socket,
        finish: async () => {
          socket.write(body);
          return answer;
        },
      };
    }

    function slash(target: TestBot, text: string) {
      return postSigned(target.eventsUrl, slashCommandBody({ command: "/echo", text, response_url: standIn.responseUrl("r1") }), "application/x-www-form-urlencoded");
    }

    it("acks a command, and starts it only once the request that arrived before it has its answer too", async () => {
      bot = await startTestBot({ standIn, ackFirstMaxWaitMs: 60_000 });
      const handle = sinon.spy(bot.router, "handle");
      const waiting = await holdARequest(bot);
      held = waiting.socket;

      const res = await slash(bot, "say hi");
      expect(res.status).to.equal(200);
      // Acked, and not started: the held request has not been answered yet.
      expect(handle.called, "the router ran the command before the other request was answered").to.equal(false);
      expect(bot.runs.say!.called).to.equal(false);

      // The held request's body arrives (badly signed): it is answered 401, and the command starts.
      expect(await waiting.finish()).to.match(/^HTTP\/1\.1 401/);
      await standIn.waitFor(() => standIn.callsTo("chat.postMessage").length === 1, 3000, "the command's post");
      expect(handle.calledOnce).to.equal(true);
      expect(bot.runs.say!.calledOnce).to.equal(true);
      expect(standIn.callsTo("chat.postMessage")[0]!.args.text).to.equal("hi");
    });

    it("starts the command after ackFirstMaxWaitMs even while the other request is still unanswered", async () => {
      bot = await startTestBot({ standIn, ackFirstMaxWaitMs: 100 });
      const waiting = await holdARequest(bot);
      held = waiting.socket;
      const res = await slash(bot, "say hi");
      expect(res.status).to.equal(200);
      await standIn.waitFor(() => standIn.callsTo("chat.postMessage").length === 1, 3000, "the command's post");
      expect(bot.runs.say!.calledOnce).to.equal(true);
      expect(held.destroyed, "the other request is still open").to.equal(false);
    });
  });
});
