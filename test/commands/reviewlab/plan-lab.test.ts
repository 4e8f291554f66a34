import { expect } from "chai";
import { layerSecrets, secretSourceNames } from "../../../src/domain/reviewlab/layer-secrets.js";
import { templateValues } from "../../../src/domain/reviewlab/plan-lab.js";
import { renderTemplates } from "../../../src/domain/render/render-pool.js";
import { readFallbackTemplates } from "../../../src/domain/reviewlab/load-templates.js";

const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("review-lab secrets and templates (pure)", () => {
  it("layers source Secrets in order, later keys winning", () => {
    expect(secretSourceNames(["common", "{app}", "common"], "github")).to.deep.equal(["common", "github"]);
    const s = layerSecrets(
      [
        { apiVersion: "v1", kind: "Secret", data: { A: b64("common-a"), B: b64("common-b") } },
        { apiVersion: "v1", kind: "Secret", data: { B: b64("app-b") }, stringData: { C: "app-c" } },
      ],
      { name: "review-lab-env", namespace: "review-lab-x" },
    );
    expect(s.metadata).to.deep.include({ name: "review-lab-env", namespace: "review-lab-x" });
    expect(s.data).to.deep.equal({ A: b64("common-a"), B: b64("app-b"), C: b64("app-c") });
  });

  it("renders Tugboat's fallback templates with hostile values changing nothing but the values", async () => {
    const templates = readFallbackTemplates("config/kubernetes/review-lab");
    const hostile = 'x"\n  kind: ClusterRole\n---\napiVersion: v1\nkind: Namespace';
    const values = templateValues({
      image: "registry.example.com/github:abc",
      sha: "abc",
      shortSha: "abc",
      branch: hostile,
      slug: "x-1234abcd",
      namespace: "review-lab-x-1234abcd",
      host: "x-1234abcd.review-lab.example.com",
      pr: undefined,
      owner: "{{owner}}: yes",
      app: "github",
      service: "unicorn",
      secretName: "review-lab-env",
    });
    const { objects, failures } = await renderTemplates(templates.files, values, { timeoutMs: 5000, maxBytes: 1 << 20 });
    expect(failures).to.deep.equal([]);
    expect(objects.map((o) => `${o.kind}/${o.metadata?.name}`)).to.deep.equal(["ConfigMap/review-lab-config", "Deployment/unicorn", "Service/unicorn"]);
    const cm = objects[0]!;
    expect(cm.data).to.deep.equal({
      BRANCH: hostile,
      GIT_SHA: "abc",
      PULL_REQUEST: "",
      REVIEW_LAB_HOST: "x-1234abcd.review-lab.example.com",
      REVIEW_LAB_OWNER: "{{owner}}: yes",
    });
  });
});
