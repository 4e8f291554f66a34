import type { Reply } from "./reply.js";
import type { Logger } from "./logger.js";
import type { BackgroundStarter, Services } from "./services.js";
import type { ChangeKind } from "./metrics.js";

// A command is a spec (name, grammar, usage, permission, side effects) plus a handler.

export interface Actor {
  /** Slack user id (or the terminal's TUGBOAT_USER). */
  id: string;
  name?: string;
}

export interface Channel {
  id: string;
  name?: string;
}

/** Where the results of one command go. The first send posts; later sends update the same message. */
export interface ReplyHandle {
  send(reply: Reply): Promise<void>;
  /** A link to the message, once posted (Slack permalink), for GitHub log_url. */
  permalink(): Promise<string | undefined>;
}

export type ConfirmAnswer = "confirmed" | "cancelled" | "timeout";

/** What the router needs from a chat adapter for one request. */
export interface ChatSession {
  actor: Actor;
  channel: Channel;
  /** Channel-visible, updatable message. */
  reply: ReplyHandle;
  /** Only the caller sees this (Slack ephemeral). Denials and usage errors go here. */
  whisper(reply: Reply): Promise<void>;
  /** Shows the plan with Confirm/Cancel that only the caller may press. */
  confirm(plan: Reply): Promise<ConfirmAnswer>;
  /**
   * A confirmation for which the caller types `name` (a production environment's) and may give a reason (Slack: a
   * modal). Without it the router asks with `confirm`.
   */
  confirmByName?(plan: Reply, name: string): Promise<NamedConfirmation>;
}

export interface NamedConfirmation {
  answer: ConfirmAnswer;
  /** What the caller gave as the reason, if anything. */
  reason?: string;
}

export interface Authorizer {
  /** Throws DeniedError naming what was missing. */
  require(permission: string, scope?: PermissionScope): Promise<void>;
  allows(permission: string, scope?: PermissionScope): Promise<boolean>;
  /** Whether any role bound to another user (in any channel) grants `permission`: whose rights are greater. */
  userHas(userId: string, permission: string): Promise<boolean>;
  /** Whether the caller is bound in that channel to one of these roles, or in one of these Slack user groups (S…). */
  isOneOf(entries: string[], channelId: string): Promise<boolean>;
}

export interface PermissionScope {
  cluster?: string;
  /** "*" for all namespaces. */
  namespace?: string;
  /**
   * Plural resource name, e.g. "pods", "secrets". A scope naming a resource and no namespace reads a cluster-scoped
   * type: a role limited to namespaces must grant it in `kube.clusterScoped`.
   */
  resource?: string;
}

/** Outcomes a command may record itself; thrown errors, denials and cancellations are recorded by the router. */
export type CommandOutcome = "failure" | "rolled-back" | "interrupted";

export interface CommandContext {
  requestId: string;
  actor: Actor;
  channel: Channel;
  log: Logger;
  reply: ReplyHandle;
  services: Services;
  auth: Authorizer;
  /** Asks the caller to confirm a plan. Returns true only on an explicit Confirm. */
  confirm(plan: Reply): Promise<boolean>;
  /** Asks the caller to type `name` to confirm (a production environment); the reason they gave, if any. */
  confirmByName(plan: Reply, name: string): Promise<{ confirmed: boolean; reason?: string }>;
  /** Adds facts to this request's audit entry. */
  audit(details: Record<string, unknown>): void;
  /** Records how a command that replied without throwing really ended (a deploy that was rolled back is no success). */
  outcome(outcome: CommandOutcome): void;
  /** Aborted when the bot is shutting down. */
  signal: AbortSignal;
  /**
   * Aborted as soon as a shutdown begins, before `signal`: waits on other people (approvals) end then, rather than
   * holding the shutdown; work under way has until `signal`.
   */
  draining?: AbortSignal;
}

export interface CommandSpec<A = unknown> {
  /** Family (slash command without the slash), e.g. "deploy". */
  family: string;
  /** Subcommand word, e.g. "status"; "" for the family's default form (`/deploy PR1 to staging`). */
  verb: string;
  summary: string;
  usage: string;
  examples: string[];
  sideEffects: boolean;
  /** Counted as this kind of change by app and environment (from the audit's `app` and `environment`). */
  change?: ChangeKind;
  /** Turns the words after the family (and verb) into typed arguments, or throws UsageError. */
  parse(words: string[]): A;
  /**
   * Every permission this invocation needs (the command's own first, then those its arguments add, such as
   * deploy:force for --force), all checked before run so that nothing is posted before a denial.
   */
  permission(args: A): string | string[];
  run(args: A, ctx: CommandContext): Promise<void>;
}

export interface CommandFamily {
  name: string;
  summary: string;
  commands: CommandSpec<unknown>[];
  /** Started once by the composition root, stopped at shutdown. */
  background?: BackgroundStarter[];
}

/** Typed helper so each spec's parse and run agree on A. */
export function defineCommand<A>(spec: CommandSpec<A>): CommandSpec<A> {
  return spec;
}
