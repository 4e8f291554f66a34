// /github writes to GitHub with Tugboat's token as if a person clicked, so it exists only where that GitHub is a
// sandbox's: the embedded sandbox, or the sandbox config with GitHub on this machine (npm run sandbox's
// GITHUB_API_URL). The sandbox config alone is not enough: with a real token and no GITHUB_API_URL (github.com) or
// another host, its /github merge would merge real pull requests.

export interface GithubTarget {
  /** Tugboat started the embedded sandbox and talks to it. */
  embeddedSandbox: boolean;
  /** The config loaded is config/sandbox/tugboat.yaml (the only one that grants github:write). */
  sandboxConfig: boolean;
  /** GITHUB_API_URL; undefined is github.com. */
  githubBaseUrl?: string;
}

export function drivesSandboxGithub(t: GithubTarget): boolean {
  if (t.embeddedSandbox) return true;
  return t.sandboxConfig && t.githubBaseUrl !== undefined && isLoopbackHttpUrl(t.githubBaseUrl);
}

function isLoopbackHttpUrl(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  const host = url.hostname.replace(/^\[|\]$/g, "");
  return (url.protocol === "http:" || url.protocol === "https:") && (host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host));
}
