import { expect } from "chai";
import { useHarness } from "../../helpers/use-harness.js";
import { kubectl } from "../../commands/kube/kube-helpers.js";

// kubectl's typed `create` commands send protobuf, whose Go marshalers write every string field, empty ones too. A
// real API server decodes them into Go structs and never answers `generateName: ""` (ObjectMeta's fields are
// omitempty); the sandbox kept the empty strings, so kubectl and /kube showed them (`Generate Name:` in describe).

describe("kube sandbox: objects created from protobuf bodies carry no empty metadata fields", function () {
  this.timeout(60_000);
  const h = useHarness();

  it("kubectl create configmap, secret and namespace, read back as JSON, as from a real API server", async () => {
    const created = await Promise.all([
      kubectl(h, "staging", ["create", "configmap", "flags", "-n", "github-staging", "--from-literal=MODE=fast"]),
      kubectl(h, "staging", ["create", "secret", "generic", "token", "-n", "github-staging", "--from-literal=KEY=v"]),
      kubectl(h, "staging", ["create", "namespace", "scratch"]),
    ]);
    for (const c of created) expect(c.stderr, c.stderr).to.equal("");
    for (const args of [["cm", "flags", "-n", "github-staging"], ["secret", "token", "-n", "github-staging"], ["ns", "scratch"]]) {
      const { stdout, stderr } = await kubectl(h, "staging", ["get", ...args, "-o", "json"]);
      expect(stderr, stderr).to.equal("");
      const metadata = JSON.parse(stdout).metadata as Record<string, unknown>;
      expect(Object.keys(metadata), args.join(" ")).to.not.include("generateName");
      for (const [k, v] of Object.entries(metadata)) expect(v, `metadata.${k} of ${args.join(" ")}`).to.not.equal("");
    }
    const { stdout } = await kubectl(h, "staging", ["get", "secret", "token", "-n", "github-staging", "-o", "jsonpath={.type}"]);
    expect(stdout).to.equal("Opaque");
  });
});
