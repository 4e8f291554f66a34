import { expect } from "chai";
import type { Harness, Transcript } from "../../helpers/harness.js";
import { eventually } from "../../helpers/manual-clock.js";
import { useHarness } from "../../helpers/use-harness.js";
import { kubectl, output, sameAsKubectl } from "./kube-helpers.js";

// /kube describe secret prints what kubectl's SecretDescriber prints (Name, Namespace, Labels, Annotations, Type,
// Data as `key:  N bytes`), compared with the real kubectl against the same sandbox. Tugboat used kubectl's generic
// describer (API Version, Metadata, Data as redacted nested fields). Two deliberate differences, undone before the
// comparison: kubectl walks Go maps in no fixed order (Tugboat sorts the Data keys), and kubectl prints a
// service-account-token Secret's token itself, where Tugboat prints its size. No value may ever reach the reply.

const NS = "github-staging";
const BINARY = Buffer.from([0x00, 0xff, 0x10, 0x80, 0x7f, 0xfe, 0x01, 0x02, 0x03]);
const PASSWORD = "hunter2-very-secret";

const b64 = (v: string | Buffer) => Buffer.from(v).toString("base64");

/**
 * kubectl's text as Tugboat prints it: the Data lines sorted, and the token of a service-account-token Secret
 * (whose value kubectl prints) as its size.
 */
function kubectlWithSizes(text: string): string {
  const [head, data = ""] = text.split("\nData\n====\n");
  const lines = data
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => l.replace(/^(token:\s+)(\S+)$/, (_all, key: string, value: string) => `${key}${Buffer.byteLength(value)} bytes`))
    .sort();
  return `${head}\nData\n====\n${lines.join("\n")}\n`;
}

async function describeBoth(h: Harness, name: string): Promise<{ t: Transcript; theirs: string }> {
  const args = ["secret", name, "-n", NS];
  const [t, k] = await Promise.all([h.run(`/kube describe ${args.join(" ")} --cluster staging`, { user: "UADMIN" }), kubectl(h, "staging", ["describe", ...args])]);
  expect(t.final?.tone, t.text).to.equal("success");
  expect(k.stderr, k.stderr).to.equal("");
  return { t, theirs: k.stdout };
}

/** No value, in any encoding, anywhere in the reply or the log. */
function expectNoValues(h: Harness, t: Transcript, values: (string | Buffer)[]): void {
  const everything = [t.text, ...[...t.updates, ...t.whispers].map((r) => JSON.stringify(r)), h.logText()].join("\n");
  for (const v of values) {
    const plain = Buffer.from(v).toString("utf8");
    for (const shown of [plain, b64(v), Buffer.from(v).toString("hex")]) expect(everything).not.to.include(shown);
  }
}

describe("/kube describe secret: kubectl's Secret describer", function () {
  this.timeout(60_000);
  const h = useHarness();

  it("a service-account-token Secret prints what kubectl prints, with the token's size instead of the token", async () => {
    const staging = h.sandbox.control.cluster("staging");
    staging.objects.put({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "deployer-token", namespace: NS, labels: { app: "unicorn" }, annotations: { "kubernetes.io/service-account.name": "default" } },
      type: "kubernetes.io/service-account-token",
    });
    // the sandbox's tokens controller fills in token, ca.crt, namespace and the uid annotation, as a cluster's does
    const ref = { apiVersion: "v1", kind: "Secret", namespace: NS, name: "deployer-token" };
    const dataOf = () => (staging.objects.get(ref) as { data?: Record<string, string> } | undefined)?.data ?? {};
    await eventually("the token filled in", () => !!dataOf().token);
    const [token, ca] = [dataOf().token!, dataOf()["ca.crt"]!].map((v) => Buffer.from(v, "base64").toString()) as [string, string];
    const { t, theirs } = await describeBoth(h, "deployer-token");
    expect(theirs, "kubectl prints the token; the comparison below relies on it").to.include(token);
    const ours = output(t);
    expect(sameAsKubectl(ours, kubectlWithSizes(theirs)), `${ours}\n---\n${theirs}`).to.equal(true);
    expect(ours).to.match(/^Type: {2}kubernetes\.io\/service-account-token$/m);
    expect(ours).to.match(/^ {14}kubernetes\.io\/service-account\.uid: [0-9a-f-]{36}$/m);
    expect(ours).to.match(new RegExp(`^token: +${token.length} bytes$`, "m"));
    expect(ours).to.match(new RegExp(`^ca\\.crt: +${ca.length} bytes$`, "m"));
    expectNoValues(h, t, [token, token.split(".")[2]!, ca.split("\n")[1]!]);
  });

  it("an Opaque Secret with binary data and a last-applied annotation holding the values prints sizes only", async () => {
    const data = { "blob.bin": b64(BINARY), password: b64(PASSWORD) };
    h.sandbox.control.cluster("staging").objects.put({
      apiVersion: "v1",
      kind: "Secret",
      metadata: {
        name: "app-creds",
        namespace: NS,
        annotations: {
          owner: "web-team",
          // kubectl apply keeps the whole manifest here, values included; kubectl describe leaves it out.
          "kubectl.kubernetes.io/last-applied-configuration": JSON.stringify({ apiVersion: "v1", kind: "Secret", metadata: { name: "app-creds", namespace: NS }, data }) + "\n",
        },
      },
      type: "Opaque",
      data,
    });
    const { t, theirs } = await describeBoth(h, "app-creds");
    const ours = output(t);
    expect(sameAsKubectl(ours, kubectlWithSizes(theirs)), `${ours}\n---\n${theirs}`).to.equal(true);
    expect(ours).to.match(/^blob\.bin: +9 bytes$/m);
    expect(ours).to.match(new RegExp(`^password: +${PASSWORD.length} bytes$`, "m"));
    expect(ours).not.to.include("last-applied");
    expectNoValues(h, t, [PASSWORD, BINARY]);
  });

  it("a Secret with no data and one key prints exactly what kubectl prints", async () => {
    const staging = h.sandbox.control.cluster("staging");
    staging.objects.put({ apiVersion: "v1", kind: "Secret", metadata: { name: "empty", namespace: NS }, type: "Opaque" });
    staging.objects.put({ apiVersion: "v1", kind: "Secret", metadata: { name: "one", namespace: NS }, type: "Opaque", data: { key: b64("value") } });
    for (const name of ["empty", "one"]) {
      const { t, theirs } = await describeBoth(h, name);
      expect(sameAsKubectl(output(t), theirs), `${output(t)}\n---\n${theirs}`).to.equal(true);
    }
  });

  it("describing every Secret of a namespace shows sizes, never values", async () => {
    h.sandbox.control.cluster("staging").objects.put({ apiVersion: "v1", kind: "Secret", metadata: { name: "listed", namespace: NS }, type: "Opaque", data: { password: b64(PASSWORD) } });
    const t = await h.run(`/kube describe secrets -n ${NS} --cluster staging`, { user: "UADMIN" });
    expect(t.final?.tone, t.text).to.equal("success");
    expect(output(t)).to.match(new RegExp(`^Name: +listed\\n[\\s\\S]*?^password: +${PASSWORD.length} bytes$`, "m"));
    expectNoValues(h, t, [PASSWORD]);
  });

  it("a role whose scope does not grant secrets is refused", async () => {
    h.sandbox.control.cluster("staging").objects.put({ apiVersion: "v1", kind: "Secret", metadata: { name: "hidden", namespace: NS }, type: "Opaque", data: { password: b64(PASSWORD) } });
    const t = await h.run(`/kube describe secret hidden -n ${NS} --cluster staging`, { user: "UVIEWER" });
    expect(t.final?.tone, t.text).not.to.equal("success");
    expectNoValues(h, t, [PASSWORD]);
  });
});
