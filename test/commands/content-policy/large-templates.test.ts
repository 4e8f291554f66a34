import { expect } from "chai";
import { useHarness } from "../../helpers/use-harness.js";
import type { Harness } from "../../helpers/harness.js";
import { branchWithFiles } from "./pr-files.js";

// A PR decides how large its manifests are. GitHub's contents API leaves the text of a file over 1 MB out of its
// JSON (content "", encoding "none"; the sandbox does the same), which Tugboat used to decode as an encoding and
// answer "Internal error". Now the sizes in the folder's listing are checked against content.maxBytes before
// anything is downloaded; a file over 1 MB that the budget allows is read through the raw media type.

const ADMIN = { user: "UADMIN", channel: "CDEPLOYS" };
const MiB = 1024 * 1024;

/** A ConfigMap padded with a comment to about `bytes` bytes. */
function paddedConfigMap(name: string, bytes: number): string {
  const body = `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: ${name} }\ndata: { SIZE: "${bytes}" }\n`;
  return `# ${"x".repeat(bytes - body.length - 3)}\n${body}`;
}

const fileReads = (h: Harness, name: RegExp) => h.sandbox.control.github.requests.count({ method: "GET", path: name });

describe("content policy: templates larger than the byte budget (through the router)", function () {
  this.timeout(30_000);

  describe("with the default budget (1 MiB)", () => {
    const h = useHarness();

    it("a deploy with a manifest over 1 MB is refused by name, unread, instead of an internal error", async () => {
      branchWithFiles(h, "huge-manifest", "b16f000000000000000000000000000000000001", { "config/kubernetes/staging/zz-huge.yaml": paddedConfigMap("huge", 1_200_000) });
      const t = await h.run("/deploy huge-manifest to staging", ADMIN);
      expect(t.final?.tone, t.text).to.equal("error");
      expect(t.text).to.not.include("Internal error");
      expect(t.text).to.include("nothing was applied");
      expect(t.text).to.include(`config/kubernetes/staging/zz-huge.yaml: the template is 1200000 bytes, more than the ${MiB} allowed`);
      expect(fileReads(h, /zz-huge\.yaml/)).to.equal(0);
    });

    it("manifests that pass the budget together are refused before any is read", async () => {
      const files = Object.fromEntries(["a", "b", "c"].map((n) => [`config/kubernetes/staging/zz-part-${n}.yaml`, paddedConfigMap(`part-${n}`, 400_000)]));
      branchWithFiles(h, "three-parts", "b16f000000000000000000000000000000000002", files);
      const t = await h.run("/deploy three-parts to staging --dry-run", ADMIN);
      expect(t.final?.tone, t.text).to.equal("error");
      expect(t.text).to.match(/config\/kubernetes\/staging\/: 6 templates of \d+ bytes in all, more than the 1048576 allowed \(none was read\)/);
      expect(fileReads(h, /zz-part-/)).to.equal(0);
      expect(fileReads(h, /contents\/config\/kubernetes\/staging\/unicorn\.yaml/)).to.equal(0);
    });

    it("a review lab's template over 1 MB is refused by name", async () => {
      branchWithFiles(h, "huge-lab", "b16f000000000000000000000000000000000003", { "config/kubernetes/review-lab/zz-huge.yaml": paddedConfigMap("huge", 1_100_000) });
      const t = await h.run("/reviewlab up huge-lab", ADMIN);
      expect(t.final?.tone, t.text).to.equal("error");
      expect(t.text).to.include(`config/kubernetes/review-lab/zz-huge.yaml: the template is 1100000 bytes, more than the ${MiB} allowed`);
      expect(h.sandbox.control.cluster("staging").objects.get({ apiVersion: "v1", kind: "Namespace", name: "review-lab-huge-lab" })).to.equal(undefined);
    });
  });

  describe("with a budget above GitHub's 1 MB", () => {
    const h = useHarness({
      configure: (c) => {
        c.environments.staging!.content = { ...c.environments.staging!.content, maxBytes: 2 * MiB };
      },
    });

    it("a manifest over 1 MB is read through the raw media type and planned", async () => {
      branchWithFiles(h, "big-but-allowed", "b16f000000000000000000000000000000000004", { "config/kubernetes/staging/zz-big.yaml": paddedConfigMap("big", 1_200_000) });
      const t = await h.run("/deploy big-but-allowed to staging --dry-run", ADMIN);
      expect(t.final?.tone, t.text).to.equal("success");
      expect(t.text).to.include("`ConfigMap big`: created");
      expect(h.sandbox.control.github.requests.list({ method: "GET", path: /zz-big\.yaml/ }).length).to.equal(2);
    });
  });
});
