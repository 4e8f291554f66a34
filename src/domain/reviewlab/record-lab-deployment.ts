import type { GithubMarkdown } from "../../core/github-markdown.js";
import { errorMessage } from "../../core/errors.js";
import type { Logger } from "../../core/logger.js";
import { isGatewayError, type CreateDeploymentInput, type GithubGateway } from "../../gateways/types.js";

// The GitHub side of `up`: a transient Deployment for environment review-lab/<slug> with statuses
// in_progress → success/failure, and a PR comment. GitHub writes are spaced about a second apart by the
// gateway (Octokit throttling), so they run alongside the Kubernetes work instead of in front of it, in order.
// GitHub failures never fail the lab; they become warnings.

export class LabDeploymentRecorder {
  readonly warnings: string[] = [];
  private readonly created: Promise<number | undefined>;

  constructor(
    private readonly github: GithubGateway,
    private readonly repo: string,
    input: CreateDeploymentInput,
    private readonly urls: { environmentUrl: string; logUrl: () => Promise<string | undefined> },
    private readonly log: Logger,
  ) {
    this.created = (async () => {
      try {
        const d = await github.createDeployment(repo, input);
        await github.createDeploymentStatus(repo, d.id, { state: "in_progress", environmentUrl: urls.environmentUrl, logUrl: await urls.logUrl() });
        return d.id;
      } catch (err) {
        this.warn("GitHub deployment not recorded", err);
        return undefined;
      }
    })();
  }

  private warn(what: string, err: unknown): void {
    this.warnings.push(`${what} (${errorMessage(err)})`);
    this.log.warn(`review lab: ${what}`, { error: errorMessage(err) });
  }

  private finished = false;

  /** Posts the final status once (later calls do nothing). */
  async finish(state: "success" | "failure", description: string): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    const id = await this.created;
    if (id === undefined) return;
    try {
      await this.github.createDeploymentStatus(this.repo, id, {
        state,
        description,
        environmentUrl: this.urls.environmentUrl,
        logUrl: await this.urls.logUrl(),
      });
    } catch (err) {
      this.warn("GitHub deployment status not updated", err);
    }
  }

  /**
   * Tells the PR: edits the lab's comment when there is one (`commentId`), else (or once it was deleted) posts one.
   * Returns the comment's id, undefined when GitHub refused.
   */
  async comment(pr: number, body: GithubMarkdown, commentId?: number): Promise<number | undefined> {
    return writeLabComment(this.github, this.repo, pr, body, commentId, (err) => this.warn("PR comment not posted", err));
  }
}

/** Edits comment `commentId` of the PR, or posts a new one when there is none (or it was deleted). */
export async function writeLabComment(
  github: GithubGateway,
  repo: string,
  pr: number,
  body: GithubMarkdown,
  commentId: number | undefined,
  failed: (err: unknown) => void,
): Promise<number | undefined> {
  try {
    if (commentId !== undefined) {
      try {
        await github.updateComment(repo, commentId, body);
        return commentId;
      } catch (err) {
        if (!isGatewayError(err, "not-found")) throw err;
      }
    }
    return (await github.createComment(repo, pr, body)).id;
  } catch (err) {
    failed(err);
    return undefined;
  }
}
