import { expect } from "chai";
import { renderManifests } from "../../src/domain/render/render-templates.js";
import { UserError } from "../../src/core/errors.js";
import type { V1Deployment } from "../../src/gateways/kube-models.js";

const template = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: lab-{{slug}}
  namespace: {{namespace}}
  annotations:
    tugboat.dev/branch: {{branch}}
    quoted: "{{branch}}"
    single: 'x-{{shortSha}}'
spec:
  template:
    spec:
      containers:
        - name: app
          image: {{image}}
          env:
            - { name: SHORT_SHA, value: "{{shortSha}}" }
            - { name: PR, value: {{pr}} }
            - name: TITLE
              value: {{title}}
`;

describe("renderManifests", () => {
  const evil = [
    'x"\n  kind: ClusterRole',
    "x\n---\napiVersion: v1\nkind: Secret",
    "{{constructor}} {{#each this}}",
    "a: b # comment",
    "'; drop",
    "true",
    "1234567",
    "- item\n- other",
    "\u2028line separator",
    "tab\there",
    "${HOME} $(whoami) `id`",
  ];
  for (const value of evil) {
    it(`keeps ${JSON.stringify(value)} a plain value everywhere`, () => {
      const [obj, ...rest] = renderManifests(template, { slug: "my-branch", namespace: "review-lab-my-branch", branch: value, shortSha: value, image: "registry.example.com/github:abc", pr: value, title: value });
      expect(rest).to.have.length(0);
      expect(obj!.kind).to.equal("Deployment");
      expect(obj!.metadata!.annotations).to.deep.equal({ "tugboat.dev/branch": value, quoted: value, single: `x-${value}` });
      const env = (obj as V1Deployment).spec?.template.spec?.containers[0]?.env;
      expect(env).to.deep.equal([
        { name: "SHORT_SHA", value },
        { name: "PR", value },
        { name: "TITLE", value },
      ]);
    });
  }
  it("keeps digits-only values strings, quoted or not", () => {
    const [obj] = renderManifests(template, { slug: "s", namespace: "n", branch: "b", shortSha: "1234567", image: "i", pr: 4812, title: "" });
    const env = (obj as V1Deployment).spec?.template.spec?.containers[0]?.env ?? [];
    expect(env.map((e) => e.value)).to.deep.equal(["1234567", "4812", ""]);
  });
  it("refuses a template that names a value it was not given", () => {
    expect(() => renderManifests("kind: {{nope}}", {}, "x.yaml")).to.throw(UserError, /x\.yaml: cannot render/);
  });
  it("refuses documents that are not Kubernetes objects", () => {
    expect(() => renderManifests("just: data\n", {}, "x.yaml")).to.throw(UserError, /apiVersion and kind/);
  });
});
