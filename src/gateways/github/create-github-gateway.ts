import type { RestEndpointMethodTypes } from "@octokit/rest";
import { deploymentDescription, type GithubMarkdown } from "../../core/github-markdown.js";
import type { Logger } from "../../core/logger.js";
import {
  GatewayError,
  type CommitComparison,
  type CommitInfo,
  type DeploymentHistoryEntry,
  type ContextReport,
  type CreateDeploymentInput,
  type DeploymentRecord,
  type DeploymentStatusInput,
  type GithubGateway,
  type PullRequest,
  type RepoEntry,
} from "../types.js";
import { createOctokit, type OctokitOptions } from "./create-octokit.js";
import { OctokitGithubWrites } from "./github-writes.js";
import { split, toGatewayError, toPull } from "./octokit-calls.js";

export interface GithubGatewayOptions extends Omit<OctokitOptions, "log"> {
  log: Logger;
  /** Told every request's method and HTTP status ("error" when there was no answer), for metrics. */
  onRequest?: (method: string, status: number | "error") => void;
}

export function createGithubGateway(opts: GithubGatewayOptions): GithubGateway {
  const octokit = createOctokit(opts);
  const observe = opts.onRequest;
  if (observe) {
    octokit.hook.after("request", (response, options) => observe(options.method, response.status));
    octokit.hook.error("request", (error, options) => {
      const status = (error as { status?: unknown; response?: unknown }).response ? Number((error as { status?: unknown }).status) : "error";
      observe(options.method, status);
      throw error;
    });
  }
  return new OctokitGithubGateway(octokit);
}

/** Pages of statuses and check runs read for the image gate (GitHub keeps at most 1,000 statuses per context). */
const STATUS_PAGES = 5;

/** GitHub's largest page of compared commits. */
const COMPARE_PAGE = 100;

class OctokitGithubGateway extends OctokitGithubWrites implements GithubGateway {
  async getPull(repo: string, number: number): Promise<PullRequest> {
    const { data } = await this.call(`PR #${number} in ${repo}`, () => this.octokit.rest.pulls.get({ ...split(repo), pull_number: number }));
    return toPull(data);
  }

  async findPullForBranch(repo: string, branch: string): Promise<PullRequest | undefined> {
    const { owner } = split(repo);
    const { data } = await this.call(`PRs for ${branch} in ${repo}`, () =>
      this.octokit.rest.pulls.list({ ...split(repo), head: `${owner}:${branch}`, state: "all", per_page: 10, sort: "updated", direction: "desc" }),
    );
    const pulls = data.map(toPull);
    return pulls.find((p) => p.state === "open") ?? pulls[0];
  }

  async listPullsForCommit(repo: string, sha: string): Promise<PullRequest[]> {
    const { data } = await this.call(`PRs holding ${sha.slice(0, 7)} in ${repo}`, () =>
      this.octokit.rest.repos.listPullRequestsAssociatedWithCommit({ ...split(repo), commit_sha: sha, per_page: 100 }),
    );
    return data.map(toPull);
  }

  async isOnDefaultBranch(repo: string, sha: string): Promise<{ onDefault: boolean; defaultBranch: string }> {
    const { data: info } = await this.call(`repository ${repo}`, () => this.octokit.rest.repos.get(split(repo)));
    const defaultBranch = info.default_branch;
    // default...sha is "behind" (or "identical") exactly when sha is an ancestor of the default branch's tip.
    const { data } = await this.call(`${sha.slice(0, 7)} against ${defaultBranch} in ${repo}`, () =>
      this.octokit.rest.repos.compareCommitsWithBasehead({ ...split(repo), basehead: `${defaultBranch}...${sha}`, per_page: 1 }),
    );
    return { onDefault: data.status === "behind" || data.status === "identical", defaultBranch };
  }

  async getCommit(repo: string, ref: string): Promise<CommitInfo> {
    try {
      const { data } = await this.octokit.rest.repos.getCommit({ ...split(repo), ref, per_page: 1 });
      return { sha: data.sha, message: data.commit.message, url: data.html_url, author: data.author?.login ?? undefined };
    } catch (err) {
      const e = toGatewayError(err, `"${ref}" in ${repo}`);
      // GitHub answers 422 "No commit found for SHA" for unknown shas.
      if (e.kind === "invalid" || e.kind === "not-found") throw new GatewayError("not-found", `no branch, tag or commit "${ref}" in ${repo}`, e.status);
      throw e;
    }
  }

  async listContextReports(repo: string, sha: string, contexts: string[]): Promise<ContextReport[]> {
    // The combined status carries no creator; the list of statuses does (newest first), as check runs carry their app.
    // Several pages: anyone who can write a status could bury CI's under a page of their own.
    const [statuses, checks] = await Promise.all([
      this.pages(STATUS_PAGES, (page) => this.call(`statuses of ${sha.slice(0, 7)}`, () => this.octokit.rest.repos.listCommitStatusesForRef({ ...split(repo), ref: sha, per_page: 100, page })).then((r) => r.data)),
      this.pages(STATUS_PAGES, (page) => this.call(`check runs of ${sha.slice(0, 7)}`, () => this.octokit.rest.checks.listForRef({ ...split(repo), ref: sha, per_page: 100, page })).then((r) => r.data.check_runs)),
    ]);
    const wanted = new Set(contexts);
    const fromStatuses = statuses
      .filter((s) => wanted.has(s.context))
      .map(
        (s): ContextReport => ({
          context: s.context,
          state: s.state === "success" ? "success" : s.state === "pending" ? "pending" : "failure",
          description: s.description ?? undefined,
          url: s.target_url ?? undefined,
          by: s.creator ? { kind: "user", login: s.creator.login, bot: s.creator.type === "Bot" || s.creator.login.endsWith("[bot]") } : undefined,
        }),
      );
    const fromChecks = checks
      .filter((c) => wanted.has(c.name))
      .map(
        (c): ContextReport => ({
          context: c.name,
          state: c.status !== "completed" ? "pending" : c.conclusion === "success" ? "success" : "failure",
          description: c.output?.title ?? c.conclusion ?? undefined,
          url: c.html_url ?? undefined,
          by: c.app ? { kind: "app", slug: c.app.slug ?? "", id: c.app.id } : undefined,
        }),
      );
    return [...fromStatuses, ...fromChecks];
  }

  /** Pages of 100 from the first, until a short page or `max` pages. */
  private async pages<T>(max: number, read: (page: number) => Promise<T[]>): Promise<T[]> {
    const out: T[] = [];
    for (let page = 1; page <= max; page++) {
      const items = await read(page);
      out.push(...items);
      if (items.length < 100) break;
    }
    return out;
  }

  async createDeployment(repo: string, input: CreateDeploymentInput): Promise<DeploymentRecord> {
    const res = await this.call(`creating a deployment of ${input.ref.slice(0, 7)} to ${input.environment}`, () =>
      this.octokit.rest.repos.createDeployment({
        ...split(repo),
        ref: input.ref,
        environment: input.environment,
        description: input.description === undefined ? undefined : deploymentDescription(input.description),
        payload: input.payload as Record<string, unknown>,
        auto_merge: false,
        required_contexts: [],
        transient_environment: input.transientEnvironment ?? false,
        production_environment: input.productionEnvironment ?? false,
      }),
    );
    if (res.status !== 201 || !("id" in res.data)) {
      throw new GatewayError("conflict", `GitHub did not create a deployment: ${(res.data as { message?: string }).message ?? res.status}`, res.status);
    }
    return toDeployment(res.data);
  }

  async createDeploymentStatus(repo: string, deploymentId: number, input: DeploymentStatusInput): Promise<void> {
    await this.call(`deployment ${deploymentId} status`, () =>
      this.octokit.rest.repos.createDeploymentStatus({
        ...split(repo),
        deployment_id: deploymentId,
        state: input.state,
        description: input.description === undefined ? undefined : deploymentDescription(input.description),
        environment_url: input.environmentUrl,
        log_url: input.logUrl,
        auto_inactive: input.autoInactive,
      }),
    );
  }

  async checkReachable(repo: string): Promise<void> {
    await this.call(repo, () => this.octokit.rest.repos.get({ ...split(repo), request: { retries: 0 } }));
  }

  async listDeployments(repo: string, opts: { environment?: string; limit?: number } = {}): Promise<DeploymentRecord[]> {
    const { data } = await this.call(`deployments of ${repo}`, () =>
      this.octokit.rest.repos.listDeployments({ ...split(repo), environment: opts.environment, per_page: Math.min(opts.limit ?? 30, 100) }),
    );
    const records = data.map(toDeployment);
    await Promise.all(
      records.map(async (d) => {
        const { data: statuses } = await this.call(`statuses of deployment ${d.id}`, () =>
          this.octokit.rest.repos.listDeploymentStatuses({ ...split(repo), deployment_id: d.id, per_page: 1 }),
        );
        const latest = statuses[0];
        if (latest) {
          d.state = latest.state;
          d.statusAt = latest.created_at;
          d.environmentUrl = latest.environment_url || undefined;
          d.logUrl = latest.log_url || undefined;
        }
      }),
    );
    return records;
  }

  async listDeploymentHistory(repo: string, opts: { environment?: string; since: Date; limit: number }): Promise<DeploymentHistoryEntry[]> {
    const out: DeploymentHistoryEntry[] = [];
    // GitHub lists deployments newest first: pages are read until one reaches past `since` or the limit is met.
    for (let page = 1; out.length < opts.limit; page++) {
      const { data } = await this.call(`deployments of ${repo}`, () =>
        this.octokit.rest.repos.listDeployments({ ...split(repo), environment: opts.environment, per_page: 100, page }),
      );
      const recent = data.filter((d) => Date.parse(d.created_at) >= opts.since.getTime()).slice(0, opts.limit - out.length);
      for (const d of recent) out.push({ id: d.id, sha: d.sha, environment: d.environment, createdAt: d.created_at, statuses: [], rollback: payloadOf(d).rollback === true });
      if (data.length < 100 || recent.length < data.length) break;
    }
    // Statuses ten deployments at a time, so a long history does not open a hundred requests at once.
    for (let i = 0; i < out.length; i += 10) {
      await Promise.all(
        out.slice(i, i + 10).map(async (d) => {
          const { data } = await this.call(`statuses of deployment ${d.id}`, () =>
            this.octokit.rest.repos.listDeploymentStatuses({ ...split(repo), deployment_id: d.id, per_page: 100 }),
          );
          d.statuses = data.map((s) => ({ state: s.state, createdAt: s.created_at }));
        }),
      );
    }
    return out;
  }

  async compareCommits(repo: string, base: string, head: string): Promise<CommitComparison> {
    const page = (n: number) =>
      this.call(`${base.slice(0, 7)}...${head.slice(0, 7)} in ${repo}`, () =>
        this.octokit.rest.repos.compareCommitsWithBasehead({ ...split(repo), basehead: `${base}...${head}`, per_page: COMPARE_PAGE, page: n }),
      );
    // Commits come oldest first, in pages: the first page has the oldest, the last page the newest.
    const { data } = await page(1);
    const lastPage = Math.ceil(data.ahead_by / COMPARE_PAGE);
    const newest = lastPage > 1 ? (await page(lastPage)).data.commits : [];
    return {
      status: data.status,
      aheadBy: data.ahead_by,
      behindBy: data.behind_by,
      commits: [...data.commits, ...newest].map((c) => ({
        sha: c.sha,
        message: c.commit.message,
        author: c.author?.login ?? c.commit.author?.name ?? undefined,
        date: c.commit.author?.date ?? c.commit.committer?.date ?? undefined,
      })),
      url: data.html_url,
    };
  }

  async createComment(repo: string, issueNumber: number, body: GithubMarkdown): Promise<{ id: number }> {
    const { data } = await this.call(`commenting on #${issueNumber}`, () => this.octokit.rest.issues.createComment({ ...split(repo), issue_number: issueNumber, body: body.markdown }));
    return { id: data.id };
  }

  async updateComment(repo: string, commentId: number, body: GithubMarkdown): Promise<void> {
    await this.call(`comment ${commentId} in ${repo}`, () => this.octokit.rest.issues.updateComment({ ...split(repo), comment_id: commentId, body: body.markdown }));
  }

  async listDirectory(repo: string, path: string, ref: string): Promise<RepoEntry[] | undefined> {
    try {
      const { data } = await this.octokit.rest.repos.getContent({ ...split(repo), path, ref });
      if (!Array.isArray(data)) return undefined;
      return data.map((e) => ({ name: e.name, path: e.path, type: e.type as RepoEntry["type"], size: e.size }));
    } catch (err) {
      const e = toGatewayError(err, `${path} at ${ref.slice(0, 7)}`);
      if (e.kind === "not-found") return undefined;
      throw e;
    }
  }

  async readFile(repo: string, path: string, ref: string): Promise<string> {
    const where = `${path} at ${ref.slice(0, 7)}`;
    const { data } = await this.call(where, () => this.octokit.rest.repos.getContent({ ...split(repo), path, ref }));
    if (Array.isArray(data) || data.type !== "file" || !("content" in data)) throw new GatewayError("invalid", `${path} is not a file`);
    // GitHub leaves the text of a file over 1 MB out of the JSON (encoding "none"); the raw media type returns it.
    if (data.encoding === "none") {
      const raw = await this.call(where, () => this.octokit.rest.repos.getContent({ ...split(repo), path, ref, mediaType: { format: "raw" } }));
      return String(raw.data);
    }
    if (data.encoding !== "base64") throw new GatewayError("invalid", `${path}: GitHub sent it in an unknown encoding (${String(data.encoding).slice(0, 20)})`);
    return Buffer.from(data.content, "base64").toString("utf8");
  }
}

type DeploymentData = RestEndpointMethodTypes["repos"]["listDeployments"]["response"]["data"][number];

/** A deployment's payload as an object: GitHub keeps what it was given, a JSON string or an object. */
function payloadOf(data: DeploymentData): Record<string, unknown> {
  if (typeof data.payload === "string") {
    try {
      const parsed: unknown = data.payload ? JSON.parse(data.payload) : {};
      return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }
  return data.payload && typeof data.payload === "object" ? data.payload : {};
}

function toDeployment(data: DeploymentData): DeploymentRecord {
  const payload = payloadOf(data);
  return {
    id: data.id,
    sha: data.sha,
    ref: data.ref,
    environment: data.environment,
    creator: data.creator?.login ?? "unknown",
    createdAt: data.created_at,
    payload,
    description: data.description ?? undefined,
  };
}
