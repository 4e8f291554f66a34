import { randomBytes } from "node:crypto";
import type { ChatSession, CommandContext, ConfirmAnswer, CommandFamily, CommandSpec } from "./command.js";
import { checkLine, tokenize } from "./args.js";
import { DeniedError, UsageError, UserError, errorMessage } from "./errors.js";
import type { AuditEntry, AuditLog, Logger } from "./logger.js";
import { noMetrics } from "./metrics.js";
import { kubeActorFor, reportingDenials } from "./kube-actor.js";
import type { Policy } from "./policy.js";
import { plainText, type Reply, type Text } from "./reply.js";
import type { Services } from "./services.js";
import { familyHelp, generalHelp } from "./help.js";
import { didYouMean } from "./suggest.js";

// parse → policy → confirm → run, with one request id per command line and one audit entry per request.

export interface RouteOptions {
  /** The slash command that carried the text ("kube" for /kube); absent for mentions, DMs and the terminal. */
  family?: string;
}

const COMMANDS_PREFIX = "Commands: ";

export class Router {
  private readonly families = new Map<string, CommandFamily>();
  /** Running commands and their command lines. */
  private readonly inFlight = new Map<Promise<void>, string>();
  private readonly shutdown = new AbortController();
  /** Aborted when a drain begins: what waits on people (approvals) ends at once instead of holding the shutdown. */
  private readonly drainStarted = new AbortController();
  private draining = false;

  constructor(
    families: CommandFamily[],
    private readonly policy: Policy,
    private readonly services: Services,
    private readonly log: Logger,
    private readonly auditLog: AuditLog,
  ) {
    for (const f of families) this.families.set(f.name, f);
  }

  familyNames(): string[] {
    return [...this.families.keys()];
  }

  /** Handles one command line. Never throws: every outcome becomes a reply. */
  handle(session: ChatSession, text: string, opts: RouteOptions = {}): Promise<void> {
    const p = this.route(session, text, opts);
    this.inFlight.set(p, commandLine(text, opts));
    // Forgotten once done either way (route turns every failure into a reply, so p should never reject; if it
    // did, the caller holds p, and this bookkeeping must not add a second, unhandled rejection).
    const forget = (): void => void this.inFlight.delete(p);
    p.then(forget, forget);
    return p;
  }

  /** The command lines still running: what a shutdown waits for, and what it left unfinished. */
  running(): string[] {
    return [...this.inFlight.values()];
  }

  /**
   * Stops taking new commands and waits for running ones (up to timeoutMs). Those still running then see
   * ctx.signal abort, and get up to graceMs more to wind down (release locks, say what they left undone).
   */
  async drain(timeoutMs = 30_000, graceMs = 5_000): Promise<void> {
    this.draining = true;
    this.drainStarted.abort(new Error("Tugboat is restarting"));
    const settled = () => Promise.allSettled([...this.inFlight.keys()]).then(() => true);
    const within = (ms: number) => Promise.race([settled(), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms).unref())]);
    const done = await within(timeoutMs);
    this.shutdown.abort(new Error("shutting down"));
    if (!done) await within(graceMs);
  }

  private async route(session: ChatSession, rawText: string, opts: RouteOptions): Promise<void> {
    const requestId = randomBytes(4).toString("hex");
    const started = Date.now();
    const log = this.log.child({ requestId, actor: session.actor.id, channel: session.channel.id });
    const entry: AuditEntry = {
      requestId,
      actor: session.actor.id,
      channel: session.channel.id,
      command: commandLine(rawText, opts),
      decision: "invalid",
      outcome: "invalid",
      durationMs: 0,
    };
    const details: Record<string, unknown> = {};
    let spec: CommandSpec<unknown> | undefined;
    // Whether the command already posted in the channel: a denial then also ends that message.
    const posted = { inChannel: false };
    let help = false;
    try {
      // Only the caller needs to hear that their command was not taken.
      if (this.draining) throw new UsageError("Tugboat is restarting; try again in a minute.");
      checkLine(rawText);
      let words = tokenize(rawText);
      let familyName = opts.family;
      if (!familyName) {
        const first = words.shift();
        if (first === undefined) return await this.sendHelp(session, generalHelp(this.allFamilies()));
        familyName = first.replace(/^\//, "").toLowerCase();
      }
      if (familyName === "help") {
        help = true;
        const topic = words[0]?.replace(/^\//, "").toLowerCase();
        const fam = topic ? this.families.get(topic) : undefined;
        if (topic && !fam) throw new UsageError(withHint(`no help for "${topic}"`, this.suggestFamily(topic)), this.familyList());
        entry.decision = "allowed";
        entry.outcome = "success";
        return await this.sendHelp(session, fam ? familyHelp(fam) : generalHelp(this.allFamilies()));
      }
      const family = this.families.get(familyName);
      if (!family) throw new UsageError(withHint(`unknown command "${familyName}"`, this.suggestFamily(familyName)), this.familyList());
      if (words[0]?.toLowerCase() === "help" || words[0] === "--help" || words[0] === "-h") {
        help = true;
        entry.decision = "allowed";
        entry.outcome = "success";
        return await this.sendHelp(session, familyHelp(family));
      }
      spec = pickSpec(family, words);
      if (spec.verb !== "") words = words.slice(1);
      const args = spec.parse(words);
      const permissions = [spec.permission(args)].flat();
      const permission = permissions.join(" ");
      entry.permission = permission;
      for (const p of permissions) await this.policy.require(session.actor, session.channel.id, p);
      entry.decision = "allowed";
      log.info("command started", { command: `${spec.family} ${spec.verb}`.trim(), permission });
      this.auditLog.started?.({ ...entry, outcome: "started" });

      const services = this.impersonates() ? await this.servicesFor(session, spec) : this.services;
      const ctx = this.context(session, requestId, log, details, entry, services, posted);
      await spec.run(args, ctx);
      if (entry.outcome === "invalid") entry.outcome = "success";
    } catch (err) {
      await this.fail(session, err, spec, entry, log, posted.inChannel);
    } finally {
      entry.durationMs = Date.now() - started;
      if (Object.keys(details).length > 0) entry.details = details;
      this.auditLog.record(entry);
      this.count(entry, details, spec, help);
      log.info("command finished", { outcome: entry.outcome, durationMs: entry.durationMs });
    }
  }

  /** Metrics from the outcome: labels come from the parsed spec and the config-resolved audit facts, never raw text. */
  private count(entry: AuditEntry, details: Record<string, unknown>, spec: CommandSpec<unknown> | undefined, help: boolean): void {
    const metrics = this.services.metrics ?? noMetrics;
    const family = spec?.family ?? (help ? "help" : "unknown");
    metrics.commandFinished({ family, verb: spec ? spec.verb || spec.family : "", outcome: entry.outcome, seconds: entry.durationMs / 1000 });
    const { app, environment, dryRun } = details;
    if (spec?.change && typeof app === "string" && typeof environment === "string" && !dryRun) {
      metrics.changeFinished({ kind: spec.change, app, env: environment, outcome: entry.outcome });
    }
  }

  private impersonates(): boolean {
    // (config is optional here only for tests that build a Router around bare services.)
    return Object.values(this.services.config?.clusters ?? {}).some((c) => c.impersonate);
  }

  /**
   * With a cluster configured to impersonate, the request's gateway acts for the caller there: every request
   * of a read-only command, only the writes of one with side effects (its reads follow what it changed, as
   * Tugboat). Refusals for the caller become denials.
   */
  private async servicesFor(session: ChatSession, spec: CommandSpec<unknown>): Promise<Services> {
    const { roles, groups } = await this.policy.identityOf(session.actor, session.channel.id);
    const kube = reportingDenials(this.services.kube).actingFor(kubeActorFor(session.actor, roles, groups), spec.sideEffects ? "writes" : "all");
    return { ...this.services, kube, ownKube: this.services.ownKube ?? this.services.kube };
  }

  private context(session: ChatSession, requestId: string, log: Logger, details: Record<string, unknown>, entry: AuditEntry, services: Services, posted: { inChannel: boolean }): CommandContext {
    const recordAnswer = (answer: ConfirmAnswer): boolean => {
      details.confirmation = answer;
      if (answer !== "confirmed") {
        entry.decision = "cancelled";
        entry.outcome = "cancelled";
      }
      return answer === "confirmed";
    };
    const policy = this.policy;
    return {
      requestId,
      actor: session.actor,
      channel: session.channel,
      log,
      reply: {
        send: (reply) => {
          posted.inChannel = true;
          return session.reply.send(reply);
        },
        permalink: () => session.reply.permalink(),
      },
      services,
      signal: this.shutdown.signal,
      draining: this.drainStarted.signal,
      auth: {
        require: (permission, scope) => policy.require(session.actor, session.channel.id, permission, scope),
        allows: async (permission, scope) => (await policy.authorize(session.actor, session.channel.id, permission, scope)).allowed,
        userHas: (userId, permission) => policy.grantedAnywhere({ id: userId }, permission),
        isOneOf: (entries, channelId) => policy.isOneOf(session.actor, channelId, entries),
      },
      confirm: async (plan) => recordAnswer(await session.confirm(plan)),
      confirmByName: async (plan, name) => {
        const named = session.confirmByName ? await session.confirmByName(plan, name) : { answer: await session.confirm(plan) };
        if (named.reason) details.confirmReason = named.reason;
        return { confirmed: recordAnswer(named.answer), ...(named.reason ? { reason: named.reason } : {}) };
      },
      audit: (more) => Object.assign(details, more),
      outcome: (outcome) => {
        entry.outcome = outcome;
      },
    };
  }

  private async fail(session: ChatSession, err: unknown, spec: CommandSpec<unknown> | undefined, entry: AuditEntry, log: Logger, postedInChannel = false): Promise<void> {
    try {
      if (err instanceof DeniedError) {
        entry.decision = "denied";
        entry.outcome = "denied";
        entry.reason = err.message;
        const denial: Reply = { summary: err.message, tone: "error", blocks: [{ type: "text", text: err.text }] };
        await session.whisper(denial);
        // A refusal mid-command (the cluster's RBAC under impersonation) must not leave its progress message hanging.
        if (postedInChannel) await session.reply.send(denial);
      } else if (err instanceof UsageError) {
        entry.outcome = "invalid";
        entry.reason = err.message;
        await session.whisper(usageReply(err.text, err.usage ?? spec?.usage));
      } else if (err instanceof UserError) {
        entry.outcome = "failure";
        entry.reason = err.message;
        const reply: Reply = { summary: err.message, tone: "error", blocks: [{ type: "text", text: err.text }] };
        if (err.usage) reply.blocks.push({ type: "code", text: err.usage });
        await session.reply.send(reply);
      } else {
        entry.outcome = "error";
        entry.reason = `internal error (ref ${entry.requestId})`;
        log.error("internal error", { ref: entry.requestId, error: errorMessage(err), stack: err instanceof Error ? err.stack : undefined });
        const text = `Internal error (ref ${entry.requestId}). The details are in Tugboat's log under that ref.`;
        await session.reply.send({ summary: text, tone: "error", blocks: [{ type: "text", text }] });
      }
    } catch (sendErr) {
      log.error("could not deliver an error reply", { error: errorMessage(sendErr) });
    }
  }

  private async sendHelp(session: ChatSession, reply: Reply): Promise<void> {
    await session.whisper(reply);
  }

  private allFamilies(): CommandFamily[] {
    return [...this.families.values()];
  }

  private suggestFamily(typed: string): string {
    return didYouMean(typed, [...this.families.keys(), "help"], (name) => (name === "help" ? name : `/${name}`));
  }

  private familyList(): string {
    return `${COMMANDS_PREFIX}${[...this.families.keys()].map((f) => `/${f}`).join(", ")}. Type \`help\` for usage and examples.`;
  }
}

function pickSpec(family: CommandFamily, words: string[]): CommandSpec<unknown> {
  const verb = words[0]?.toLowerCase();
  const byVerb = family.commands.find((c) => c.verb !== "" && c.verb === verb);
  if (byVerb) return byVerb;
  const fallback = family.commands.find((c) => c.verb === "");
  if (fallback) return fallback;
  const verbs = family.commands.map((c) => c.verb).join(", ");
  const what = verb === undefined ? `/${family.name} needs a subcommand` : `unknown subcommand "${words[0]}" for /${family.name}`;
  const hint = verb === undefined ? "" : didYouMean(verb, family.commands.map((c) => c.verb), (v) => `/${family.name} ${v}`);
  throw new UsageError(withHint(`${what} (one of: ${verbs})`, hint), family.commands.map((c) => c.usage).join("\n"));
}

/** "unknown command "kub". Did you mean `/kube`?", or the reason alone when nothing is close. */
function withHint(reason: string, hint: string): string {
  return hint ? `${reason}.${hint}` : reason;
}

function commandLine(text: string, opts: RouteOptions): string {
  return (opts.family ? `/${opts.family} ` : "") + text.trim();
}

export function usageReply(reason: Text, usage?: string): Reply {
  const blocks: Reply["blocks"] = [{ type: "text", text: reason }];
  // The list of commands (for an unknown command) is its own sentence, not a usage line.
  if (usage) blocks.push({ type: "code", text: usage.startsWith(COMMANDS_PREFIX) ? usage : `Usage: ${usage}` });
  return { summary: plainText(reason), tone: "error", blocks };
}
