// Who may call the sandbox: static bearer tokens, like kube-apiserver's --token-auth-file. The first one is
// the full-access user of every default kubeconfig context (so demos and tests work unchanged); the others
// are written to .sandbox/kubeconfig as extra contexts (`<identity>@<cluster>`) and bound by the seed's RBAC.

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export interface SandboxIdentity {
  /** Short name: the kubeconfig user and the context prefix. */
  name: string;
  token: string;
  user: UserInfo;
  /** What this identity is for, for docs and the kubeconfig. */
  purpose: string;
  /**
   * How its kubeconfig context reaches it: its token (for client-node, which sends tokens over plain HTTP), or
   * impersonation (kubectl drops tokens over plain HTTP but sends Impersonate headers).
   */
  authenticates: "token" | "impersonation";
}

export const ANONYMOUS: UserInfo = { username: "system:anonymous", groups: ["system:unauthenticated"] };

function serviceAccount(namespace: string, name: string): UserInfo {
  return {
    username: `system:serviceaccount:${namespace}:${name}`,
    uid: `sandbox-sa-${namespace}-${name}`,
    groups: ["system:serviceaccounts", `system:serviceaccounts:${namespace}`],
  };
}

// Tokens are fixed so a kubeconfig written once keeps working across restarts; the sandbox listens on
// 127.0.0.1 only and its admin token has always been "sandbox-token".
export const SANDBOX_IDENTITIES: SandboxIdentity[] = [
  { name: "admin", token: "sandbox-token", user: { username: "sandbox-admin", uid: "sandbox-admin", groups: ["system:masters"] }, purpose: "full access (system:masters); the default context", authenticates: "token" },
  { name: "tugboat", token: "sandbox-tugboat-token", user: serviceAccount("tugboat", "tugboat"), purpose: "Tugboat's own service account: ClusterRole tugboat, plus tugboat-impersonator", authenticates: "token" },
  { name: "viewer", token: "sandbox-viewer-token", user: { username: "viewer", uid: "sandbox-viewer", groups: ["sandbox:viewers"] }, purpose: "read-only everywhere (ClusterRole view), no Secrets", authenticates: "impersonation" },
  { name: "deployer", token: "sandbox-deployer-token", user: { username: "deployer", uid: "sandbox-deployer", groups: ["sandbox:deployers"] }, purpose: "edit in the app namespaces (RoleBindings to ClusterRole edit)", authenticates: "impersonation" },
  { name: "ci", token: "sandbox-ci-token", user: serviceAccount("default", "ci"), purpose: "may only scale and patch the unicorn Deployments (resourceNames, deployments/scale)", authenticates: "impersonation" },
];

/** The --token-auth-file CSV lines (token,user,uid,"group1,group2") of every identity, for .sandbox/tokens.csv. */
export function tokenFileLines(): string[] {
  return SANDBOX_IDENTITIES.map((i) => `${i.token},${i.user.username},${i.user.uid ?? ""},"${i.user.groups.join(",")}"`);
}

/** The user a request authenticates as; undefined for a token nobody holds (401). `added`: one server's own users. */
export function authenticateToken(header: string | undefined, added: readonly SandboxIdentity[] = []): UserInfo | undefined | "anonymous" {
  if (!header) return "anonymous";
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) return undefined;
  const found = SANDBOX_IDENTITIES.find((i) => i.token === m[1]) ?? added.find((i) => i.token === m[1]);
  return found ? withAuthenticated(found.user) : undefined;
}

/** Authenticated users are also in system:authenticated, as the API server adds. */
export function withAuthenticated(u: UserInfo): UserInfo {
  return u.groups.includes("system:authenticated") ? u : { ...u, groups: [...u.groups, "system:authenticated"] };
}
