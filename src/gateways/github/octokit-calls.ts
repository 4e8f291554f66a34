import type { RestEndpointMethodTypes } from "@octokit/rest";
import { GatewayError, type PullRequest } from "../types.js";
import type { TugboatOctokitInstance } from "./create-octokit.js";

// What every GitHub gateway call shares: the repository's parts, Octokit's errors as GatewayErrors, a pull request
// in Tugboat's shape, and the class that holds the Octokit and counts its requests.

export function split(repo: string): { owner: string; repo: string } {
  const [owner, name] = repo.split("/");
  return { owner: owner!, repo: name! };
}

export function toGatewayError(err: unknown, what: string): GatewayError {
  if (err instanceof GatewayError) return err;
  const e = err as { status?: number; message?: string; response?: { data?: { message?: string } }; request?: { url?: string } };
  // Octokit reports a request that got no answer at all (refused, reset, DNS) as status 500 without a response.
  const status = e.response === undefined && e.status === 500 ? undefined : e.status;
  const apiMessage = e.response?.data?.message ?? e.message ?? String(err);
  if (status === 404) return new GatewayError("not-found", `${what}: not found on GitHub`, 404, e.response?.data);
  if (status === 401) return new GatewayError("unauthorized", `${what}: GitHub rejected Tugboat's credentials (check GITHUB_TOKEN or the GitHub App key)`, 401);
  if (status === 403) return new GatewayError("forbidden", `${what}: GitHub refused (${apiMessage})`, 403);
  if (status === 409) return new GatewayError("conflict", `${what}: ${apiMessage}`, 409, e.response?.data);
  if (status === 422) return new GatewayError("invalid", `${what}: ${apiMessage}${validationDetail(e.response?.data)}`, 422, e.response?.data);
  if (status && status >= 500) return new GatewayError("unavailable", `${what}: GitHub answered HTTP ${status}`, status);
  if (!status) return new GatewayError("unavailable", `${what}: cannot reach GitHub${originOf(e.request?.url)} (${apiMessage})`);
  return new GatewayError("other", `${what}: ${apiMessage}`, status);
}

/**
 * What a 422's `errors` name, which its bare "Validation Failed" does not: each error's own message ("A pull request
 * already exists for octo:my-fix.") or resource, field and code ("PullRequest head invalid"); at most three.
 */
function validationDetail(data: unknown): string {
  const errors: unknown = data && typeof data === "object" ? (data as { errors?: unknown }).errors : undefined;
  if (!Array.isArray(errors)) return "";
  const said = errors
    .slice(0, 3)
    .map((x: unknown) => {
      if (typeof x === "string") return x;
      if (!x || typeof x !== "object") return "";
      const f = x as Record<string, unknown>;
      if (typeof f.message === "string" && f.message) return f.message;
      return [f.resource, f.field, f.code].filter((v) => typeof v === "string" && v).join(" ");
    })
    .map((t) => t.replace(/\s+/g, " ").trim().slice(0, 200))
    .filter(Boolean);
  return said.length ? `: ${said.join("; ")}` : "";
}

/** " at https://host" for a request URL, or "" when there is none. */
function originOf(url: string | undefined): string {
  if (!url) return "";
  try {
    return ` at ${new URL(url).origin}`;
  } catch {
    return "";
  }
}

// Octokit's response types, for the two shapes read here (a pull from get, list or create).
type PullData =
  | RestEndpointMethodTypes["pulls"]["get"]["response"]["data"]
  | RestEndpointMethodTypes["pulls"]["list"]["response"]["data"][number]
  | RestEndpointMethodTypes["pulls"]["create"]["response"]["data"];

export function toPull(data: PullData): PullRequest {
  return {
    number: data.number,
    title: data.title,
    author: data.user?.login ?? "unknown",
    labels: data.labels.flatMap((l) => (typeof l === "string" ? [l] : l.name ? [l.name] : [])),
    draft: data.draft ?? false,
    state: data.state === "open" ? "open" : "closed",
    merged: Boolean(("merged" in data ? data.merged : undefined) ?? data.merged_at),
    headSha: data.head.sha,
    headRef: data.head.ref,
    headRepo: data.head.repo?.full_name,
    baseRef: data.base.ref,
    url: data.html_url,
    mergedBy: "merged_by" in data ? (data.merged_by?.login ?? undefined) : undefined,
  };
}


/** Holds the Octokit, counts its requests and turns its errors into GatewayErrors naming what was being done. */
export abstract class OctokitCalls {
  private requests = 0;

  constructor(protected readonly octokit: TugboatOctokitInstance) {
    octokit.hook.before("request", () => {
      this.requests++;
    });
  }

  get requestCount(): number {
    return this.requests;
  }

  protected async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toGatewayError(err, what);
    }
  }

}
