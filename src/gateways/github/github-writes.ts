import { GatewayError, type PullRequest, type WriteFileInput } from "../types.js";
import { OctokitCalls, split, toGatewayError, toPull } from "./octokit-calls.js";

// The writes a person makes on github.com (a file on a branch, a branch, a PR opened, closed, merged, labelled, a
// commit status), for the sandbox's /github commands: the GithubGateway's write half.

export abstract class OctokitGithubWrites extends OctokitCalls {
  async getDefaultBranch(repo: string): Promise<string> {
    const { data } = await this.call(`repository ${repo}`, () => this.octokit.rest.repos.get(split(repo)));
    return data.default_branch;
  }

  async writeFile(repo: string, input: WriteFileInput): Promise<{ commitSha: string }> {
    // Replacing a file names the blob it replaces; a file that does not exist yet is created.
    let existing: string | undefined;
    try {
      const { data } = await this.octokit.rest.repos.getContent({ ...split(repo), path: input.path, ref: input.branch });
      if (Array.isArray(data) || data.type !== "file") throw new GatewayError("invalid", `${input.path} on ${input.branch} is not a file`);
      existing = data.sha;
    } catch (err) {
      const e = toGatewayError(err, `${input.path} on ${input.branch}`);
      if (e.kind !== "not-found") throw e;
    }
    const { data } = await this.call(`writing ${input.path} on ${input.branch}`, () =>
      this.octokit.rest.repos.createOrUpdateFileContents({
        ...split(repo),
        path: input.path,
        branch: input.branch,
        message: input.message,
        content: Buffer.from(input.content, "utf8").toString("base64"),
        sha: existing,
      }),
    );
    if (!data.commit.sha) throw new GatewayError("other", `GitHub did not say which commit wrote ${input.path}`);
    return { commitSha: data.commit.sha };
  }

  async createBranch(repo: string, branch: string, sha: string): Promise<void> {
    await this.call(`creating branch ${branch}`, () => this.octokit.rest.git.createRef({ ...split(repo), ref: `refs/heads/${branch}`, sha }));
  }

  async openPull(repo: string, input: { head: string; base: string; title: string; body?: string }): Promise<PullRequest> {
    const { data } = await this.call(`opening a PR from ${input.head}`, () => this.octokit.rest.pulls.create({ ...split(repo), ...input }));
    return toPull(data);
  }

  async setPullState(repo: string, number: number, state: "open" | "closed"): Promise<PullRequest> {
    const { data } = await this.call(`${state === "closed" ? "closing" : "reopening"} PR #${number}`, () => this.octokit.rest.pulls.update({ ...split(repo), pull_number: number, state }));
    return toPull(data);
  }

  async mergePull(repo: string, number: number, input: { method?: "merge" | "squash" | "rebase"; sha?: string } = {}): Promise<{ sha: string }> {
    const { data } = await this.call(`merging PR #${number}`, () => this.octokit.rest.pulls.merge({ ...split(repo), pull_number: number, merge_method: input.method, sha: input.sha }));
    if (!data.merged) throw new GatewayError("conflict", `merging PR #${number}: ${data.message}`);
    return { sha: data.sha };
  }

  async addLabels(repo: string, number: number, labels: string[]): Promise<string[]> {
    const { data } = await this.call(`labelling #${number}`, () => this.octokit.rest.issues.addLabels({ ...split(repo), issue_number: number, labels }));
    return data.map((l) => l.name);
  }

  async removeLabel(repo: string, number: number, label: string): Promise<string[]> {
    const { data } = await this.call(`removing label ${label} from #${number}`, () => this.octokit.rest.issues.removeLabel({ ...split(repo), issue_number: number, name: label }));
    return data.map((l) => l.name);
  }

  async setCommitStatus(repo: string, sha: string, input: { context: string; state: "error" | "failure" | "pending" | "success"; description?: string; targetUrl?: string }): Promise<void> {
    await this.call(`status ${input.context} of ${sha.slice(0, 7)}`, () =>
      this.octokit.rest.repos.createCommitStatus({ ...split(repo), sha, state: input.state, context: input.context, description: input.description, target_url: input.targetUrl }),
    );
  }

}
