import { expect } from "chai";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { Harness, Transcript } from "../../helpers/harness.js";

// Shared helpers for the /kube tests: run the real kubectl against the harness sandbox, read the code block.

const exec = promisify(execFile);
export const KUBECTL = "/usr/bin/kubectl";

/** Runs /usr/bin/kubectl asynchronously (the sandbox lives in this process, so never spawnSync). */
export async function kubectl(h: Harness, cluster: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  try {
    return await exec(KUBECTL, ["--kubeconfig", h.sandbox.kubeconfigPath, "--context", cluster, ...args], { encoding: "utf8", timeout: 30_000 });
  } catch (err: any) {
    return { stdout: err.stdout ?? "", stderr: err.stderr ?? String(err) };
  }
}

/** The data Tugboat printed: the attachment when output was cut, else the code block. */
export function output(t: Transcript): string {
  if (t.final?.attachment) return t.final.attachment.content.replace(/\n$/, "");
  const code = t.final?.blocks.find((b) => b.type === "code");
  return code && code.type === "code" ? code.text : "";
}

export function codeBlock(t: Transcript): string {
  const code = t.final?.blocks.find((b) => b.type === "code");
  return code && code.type === "code" ? code.text : "";
}

/** Ages tick while a test runs: replace age-like tokens so a 59s/1m boundary cannot fail a golden. */
export function normaliseAges(text: string): string {
  return text
    .split("\n")
    .map((line) => line.replace(/(?<=^|\s)(\d+[smhdy])+(?=\s|$)/g, "<age>").replace(/\s+/g, " ").trimEnd())
    .join("\n");
}

/**
 * Golden check: identical text, or identical once ages are normalised (they may tick between the two runs).
 * kubectl's JSON escapes <, > and & (\u003c…); Tugboat prints them literally (the same JSON value).
 */
export function sameAsKubectl(ours: string, theirs: string): boolean {
  theirs = theirs.replace(/\\u003c/g, "<").replace(/\\u003e/g, ">").replace(/\\u0026/g, "&");
  return ours + "\n" === theirs || normaliseAges(ours) === normaliseAges(theirs.replace(/\n$/, ""));
}

/**
 * Runs `/kube ARGS --cluster C` as the viewer and `kubectl ARGS` on the same sandbox, checks both describe (kubectl's
 * output starts with `Name:`) and that the texts match; answers kubectl's output for further checks.
 */
export async function expectDescribeLikeKubectl(h: Harness, cluster: string, args: string): Promise<string> {
  const [t, k] = await Promise.all([h.run(`/kube ${args} --cluster ${cluster}`, { user: "UVIEWER" }), kubectl(h, cluster, args.split(" "))]);
  expect(t.final?.tone, t.text).to.equal("success");
  expect(k.stdout, k.stderr).to.match(/^Name:/);
  const ours = output(t);
  if (!sameAsKubectl(ours, k.stdout)) expect(ours + "\n").to.equal(k.stdout);
  return k.stdout;
}
