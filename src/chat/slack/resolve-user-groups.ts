import type { webApi } from "@slack/bolt";
import type { Logger } from "../../core/logger.js";
import type { GroupDirectory } from "../../core/policy.js";
import { describeSlackError } from "./describe-slack-error.js";
import { withRetryAfter } from "./retry-after.js";

// Which of the configured user groups a user is in, from usergroups.users.list (one call per group), cached.
// A group that cannot be read counts as "not a member" (deny by default) and is retried after a short while.

export interface UserGroupOptions {
  client: webApi.WebClient;
  log: Logger;
  cacheSeconds: number;
  /** How long a failed lookup is remembered before trying again (default: the lesser of 30 s and cacheSeconds). */
  failureCacheSeconds?: number;
  now?: () => number;
}

interface Entry {
  members: Set<string>;
  expiresAt: number;
}

export class SlackUserGroups implements GroupDirectory {
  private readonly cache = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<Entry>>();
  private readonly now: () => number;

  constructor(private readonly opts: UserGroupOptions) {
    this.now = opts.now ?? Date.now;
  }

  async groupsOf(userId: string, groupIds: string[]): Promise<Set<string>> {
    const entries = await Promise.all([...new Set(groupIds)].map(async (g) => [g, await this.members(g)] as const));
    return new Set(entries.filter(([, e]) => e.members.has(userId)).map(([g]) => g));
  }

  private members(groupId: string): Promise<Entry> {
    const cached = this.cache.get(groupId);
    if (cached && cached.expiresAt > this.now()) return Promise.resolve(cached);
    const running = this.inFlight.get(groupId);
    if (running) return running;
    const p = this.fetch(groupId).finally(() => this.inFlight.delete(groupId));
    this.inFlight.set(groupId, p);
    return p;
  }

  private async fetch(groupId: string): Promise<Entry> {
    let entry: Entry;
    try {
      const res = await withRetryAfter(() => this.opts.client.usergroups.users.list({ usergroup: groupId }));
      entry = { members: new Set(res.users ?? []), expiresAt: this.now() + this.opts.cacheSeconds * 1000 };
    } catch (err) {
      const failureSeconds = this.opts.failureCacheSeconds ?? Math.min(30, this.opts.cacheSeconds);
      this.opts.log.warn("could not read a Slack user group; treating the user as not a member", { group: groupId, reason: describeSlackError(err) });
      entry = { members: new Set(), expiresAt: this.now() + failureSeconds * 1000 };
    }
    this.cache.set(groupId, entry);
    return entry;
  }
}
