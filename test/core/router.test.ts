import { expect } from "chai";
import sinon from "sinon";
import { Router } from "../../src/core/router.js";
import { Policy, noGroups } from "../../src/core/policy.js";
import { defineCommand, type CommandFamily } from "../../src/core/command.js";
import { parseFlags } from "../../src/core/args.js";
import { UsageError, UserError } from "../../src/core/errors.js";
import type { AuditEntry, Logger } from "../../src/core/logger.js";
import type { Services } from "../../src/core/services.js";
import { recordingSession } from "../helpers/recording-session.js";

function memoryLogger(lines: Array<{ level: string; message: string; meta?: Record<string, unknown> }>, base: Record<string, unknown> = {}): Logger {
  const at = (level: string) => (message: string, meta?: Record<string, unknown>) => void lines.push({ level, message, meta: { ...base, ...meta } });
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error"), child: (m) => memoryLogger(lines, { ...base, ...m }) };
}

describe("Router", () => {
  const ran = sinon.spy();
  const echoUsage = "/demo echo WORD [--loud]";
  const family: CommandFamily = {
    name: "demo",
    summary: "A demo family",
    commands: [
      defineCommand({
        family: "demo",
        verb: "echo",
        summary: "Echo a word",
        usage: echoUsage,
        examples: ["/demo echo hi"],
        sideEffects: false,
        parse(words) {
          const { positionals, flags } = parseFlags(words, { loud: { kind: "boolean" } }, echoUsage);
          if (positionals.length !== 1) throw new UsageError("echo needs exactly one WORD", echoUsage);
          return { word: positionals[0]!, loud: Boolean(flags.loud) };
        },
        permission: () => "demo:echo",
        async run(args, ctx) {
          ran(args);
          await ctx.reply.send({ summary: args.word, tone: "success", blocks: [{ type: "text", text: args.loud ? args.word.toUpperCase() : args.word }] });
        },
      }),
      defineCommand({
        family: "demo",
        verb: "explode",
        summary: "Fails unexpectedly",
        usage: "/demo explode",
        examples: [],
        sideEffects: true,
        parse: () => ({}),
        permission: () => "demo:explode",
        async run() {
          throw new TypeError("cannot read properties of undefined (secret stack detail)");
        },
      }),
      defineCommand({
        family: "demo",
        verb: "refuse",
        summary: "Refuses with a user error",
        usage: "/demo refuse",
        examples: [],
        sideEffects: false,
        parse: () => ({}),
        permission: () => "demo:echo",
        async run() {
          throw new UserError("the lock is held by @alice since 10:02: release freeze");
        },
      }),
      defineCommand({
        family: "demo",
        verb: "ship",
        summary: "Asks first",
        usage: "/demo ship",
        examples: [],
        sideEffects: true,
        parse: () => ({}),
        permission: () => "demo:ship",
        async run(_args, ctx) {
          const ok = await ctx.confirm({ summary: "Ship it?", blocks: [{ type: "text", text: "Ship it?" }] });
          const word = ok ? "shipped" : "cancelled";
          await ctx.reply.send({ summary: word, tone: ok ? "success" : "warning", blocks: [{ type: "text", text: word }] });
          ctx.audit({ shipped: ok });
        },
      }),
    ],
  };
  const policy = new Policy(
    {
      roles: { all: { permissions: ["demo:*"] }, echoer: { permissions: ["demo:echo"] } },
      bindings: [
        { role: "all", users: ["UADMIN"], groups: [] },
        { role: "echoer", users: ["UECHO"], groups: [] },
      ],
    },
    noGroups,
  );
  let audit: AuditEntry[];
  let logs: Array<{ level: string; message: string; meta?: Record<string, unknown> }>;
  let router: Router;
  beforeEach(() => {
    ran.resetHistory();
    audit = [];
    logs = [];
    router = new Router([family], policy, {} as Services, memoryLogger(logs), { record: (e) => void audit.push(e) });
  });

  it("runs a command through parse → policy → run and audits it", async () => {
    const { session, rec } = recordingSession("UECHO");
    await router.handle(session, "demo echo hello --loud");
    expect(ran.calledOnceWith({ word: "hello", loud: true })).to.equal(true);
    expect(rec.text()).to.equal("HELLO");
    expect(audit[0]).to.include({ actor: "UECHO", command: "demo echo hello --loud", decision: "allowed", outcome: "success", permission: "demo:echo" });
    expect(logs.every((l) => l.meta?.requestId === audit[0]!.requestId)).to.equal(true);
  });

  it("takes the family from the slash command", async () => {
    const { session, rec } = recordingSession("UECHO");
    await router.handle(session, "echo hi", { family: "demo" });
    expect(rec.text()).to.equal("hi");
    expect(audit[0]!.command).to.equal("/demo echo hi");
  });

  it("denies without a binding, naming the permission, only to the caller", async () => {
    const { session, rec } = recordingSession("USTRANGER");
    await router.handle(session, "demo echo hi");
    expect(ran.called).to.equal(false);
    expect(rec.sent).to.have.length(0);
    expect(rec.whispers[0]!.summary).to.match(/Denied: .*demo:echo/);
    expect(audit[0]).to.include({ decision: "denied", outcome: "denied" });
  });

  it("shows an internal error with a ref and logs the details under it", async () => {
    const { session, rec } = recordingSession("UADMIN");
    await router.handle(session, "demo explode");
    const ref = audit[0]!.requestId;
    expect(rec.text()).to.equal(`Internal error (ref ${ref}). The details are in Tugboat's log under that ref.`);
    expect(rec.text()).not.to.contain("secret stack detail");
    const logged = logs.find((l) => l.level === "error");
    expect(logged?.meta?.ref).to.equal(ref);
    expect(String(logged?.meta?.stack)).to.contain("TypeError");
    expect(audit[0]!.outcome).to.equal("error");
  });

  it("shows a user error in the channel", async () => {
    const { session, rec } = recordingSession("UADMIN");
    await router.handle(session, "demo refuse");
    expect(rec.sent[0]!.tone).to.equal("error");
    expect(rec.text()).to.contain("lock is held by @alice");
    expect(audit[0]!.outcome).to.equal("failure");
  });

  it("asks for confirmation and records a cancel", async () => {
    const { session, rec } = recordingSession("UADMIN", "C1", "cancelled");
    await router.handle(session, "demo ship");
    expect(rec.plans).to.have.length(1);
    expect(rec.text()).to.equal("cancelled");
    expect(audit[0]).to.include({ decision: "cancelled", outcome: "cancelled" });
    expect(audit[0]!.details).to.deep.equal({ confirmation: "cancelled", shipped: false });
  });

  it("lists usage and examples for help", async () => {
    for (const line of ["help", "help demo", "demo help", "demo --help"]) {
      const { session, rec } = recordingSession("USTRANGER");
      await router.handle(session, line);
      expect(rec.text(), line).to.contain("/demo echo WORD [--loud]");
    }
    const { session, rec } = recordingSession("U");
    await router.handle(session, "help demo");
    expect(rec.text()).to.contain("/demo echo hi");
  });

  describe("bad input: every line gets one reason plus usage, never a throw", () => {
    const corpus: Array<[string, RegExp]> = [
      ["nosuch thing", /unknown command "nosuch"/],
      ["demo", /needs a subcommand/],
      ["demo frobnicate", /unknown subcommand "frobnicate"/],
      ["demo echo", /exactly one WORD/],
      ["demo echo a b", /exactly one WORD/],
      ["demo echo hi --bogus", /unknown flag --bogus/],
      ["demo echo hi --loud=maybe", /--loud takes no value/],
      ["demo echo \u0007bell", /control character/],
      ["demo echo " + "x".repeat(1200), /too long/],
      ["help nosuch", /no help for "nosuch"/],
      ["demo echo \u202eevil", /control character/],
    ];
    for (const [line, want] of corpus) {
      it(JSON.stringify(line.slice(0, 40)), async () => {
        const { session, rec } = recordingSession("UADMIN");
        await router.handle(session, line);
        const text = rec.text();
        expect(text).to.match(want);
        expect(text).not.to.match(/\n\s+at /); // no stack trace
        expect(text.length).to.be.greaterThan(0);
        expect(rec.sent, "usage errors go only to the caller").to.have.length(0);
      });
    }
    it("an empty line shows help", async () => {
      const { session, rec } = recordingSession("UADMIN");
      await router.handle(session, "   ");
      expect(rec.text()).to.contain("Tugboat commands");
    });
    it("an unclosed quote is taken literally", async () => {
      const { session, rec } = recordingSession("UADMIN");
      await router.handle(session, 'demo echo "unclosed');
      expect(rec.text()).to.equal('"unclosed');
    });
    it("lists the commands for an unknown one, without calling the list a usage line", async () => {
      const { session, rec } = recordingSession("UADMIN");
      await router.handle(session, "nosuch");
      expect(rec.text()).to.contain("Commands: /demo");
      expect(rec.text()).not.to.contain("Usage: Commands");
    });
    it("gives usage lines with the reason", async () => {
      const { session, rec } = recordingSession("UADMIN");
      await router.handle(session, "demo echo");
      expect(rec.text()).to.contain("Usage: /demo echo WORD [--loud]");
    });
  });

  it("after the drain time-out, aborts ctx.signal and waits for the command to wind down", async () => {
    const stubborn: CommandFamily = {
      name: "stubborn",
      summary: "stubborn",
      commands: [
        defineCommand({
          family: "stubborn",
          verb: "",
          summary: "",
          usage: "/stubborn",
          examples: [],
          sideEffects: true,
          parse: () => ({}),
          permission: () => "demo:echo",
          run: async (_a, ctx) => {
            await new Promise<void>((r) => ctx.signal.addEventListener("abort", () => r(), { once: true }));
            // Winding down takes a moment (releasing a lock, say), then says what was left undone.
            await new Promise((r) => setTimeout(r, 50));
            await ctx.reply.send({ summary: "interrupted: lock released", tone: "warning", blocks: [] });
          },
        }),
      ],
    };
    const entries: AuditEntry[] = [];
    const r = new Router([stubborn], policy, {} as Services, memoryLogger([]), { record: (e) => void entries.push(e) });
    const { session, rec } = recordingSession("UADMIN");
    void r.handle(session, "stubborn");
    await r.drain(20, 2000);
    expect(rec.sent.map((s) => s.summary)).to.deep.equal(["interrupted: lock released"]);
    expect(entries).to.have.length(1);
  });

  it("drains in-flight commands and refuses new ones while draining", async () => {
    let release!: () => void;
    const slow: CommandFamily = {
      name: "slow",
      summary: "slow",
      commands: [
        defineCommand({
          family: "slow",
          verb: "",
          summary: "",
          usage: "/slow",
          examples: [],
          sideEffects: false,
          parse: () => ({}),
          permission: () => "demo:echo",
          run: (_a, ctx) => new Promise<void>((r) => (release = () => void ctx.reply.send({ summary: "done", tone: "success", blocks: [] }).then(r))),
        }),
      ],
    };
    const r = new Router([slow, family], policy, {} as Services, memoryLogger([]), { record: () => {} });
    const first = recordingSession("UADMIN");
    void r.handle(first.session, "slow");
    const draining = r.drain(5000);
    const late = recordingSession("UADMIN");
    await r.handle(late.session, "demo echo hi");
    expect(late.rec.text()).to.contain("restarting");
    expect(late.rec.sent, "the refusal goes only to the caller").to.have.length(0);
    release();
    await draining;
    expect(first.rec.sent[0]!.summary).to.equal("done");
  });
});
