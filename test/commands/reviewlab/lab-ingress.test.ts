import { expect } from "chai";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { staging } from "./helpers.js";

// The lab's Ingress carries the configured IngressClass and TLS (reviewlab.ingress.className / .tls), so ingress-nginx
// serves it and cert-manager issues its certificate.

describe("/reviewlab up: the lab's Ingress class and TLS (sandbox, through the router)", function () {
  this.timeout(30_000);
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  it("sets spec.ingressClassName, spec.tls for the lab host and the cert-manager issuer annotation", async () => {
    h = await startHarness({
      configure: (c) => {
        c.reviewlab!.ingress.className = "nginx-public";
        c.reviewlab!.ingress.tls = { secretName: "{slug}-tls", clusterIssuer: "letsencrypt-prod" };
      },
    });
    const t = await h.run("/reviewlab up my-branch", { user: "UDEPLOYER" });
    expect(t.final?.tone, t.text).to.equal("success");
    const ing = staging(h).getObject("networking.k8s.io/v1", "Ingress", "review-lab-my-branch", "review-lab");
    expect(ing.spec.ingressClassName).to.equal("nginx-public");
    expect(ing.spec.tls).to.deep.equal([{ hosts: ["my-branch.review-lab.example.com"], secretName: "my-branch-tls" }]);
    expect(ing.metadata.annotations).to.include({ "cert-manager.io/cluster-issuer": "letsencrypt-prod" });
  });

  it("the sandbox config sets a class and TLS by default", async () => {
    h = await startHarness();
    expect(h.config.reviewlab!.ingress.className).to.be.a("string");
    const t = await h.run("/reviewlab up my-branch", { user: "UDEPLOYER" });
    expect(t.final?.tone, t.text).to.equal("success");
    const ing = staging(h).getObject("networking.k8s.io/v1", "Ingress", "review-lab-my-branch", "review-lab");
    expect(ing.spec.ingressClassName).to.equal(h.config.reviewlab!.ingress.className);
    expect(ing.spec.tls[0].hosts).to.deep.equal(["my-branch.review-lab.example.com"]);
  });

  it("refuses a TLS Secret name that is not a valid name before creating anything", async () => {
    h = await startHarness({ configure: (c) => void (c.reviewlab!.ingress.tls = { secretName: "Lab_{slug}" }) });
    const t = await h.run("/reviewlab up my-branch", { user: "UDEPLOYER" });
    expect(t.final?.tone, t.text).to.equal("error");
    expect(t.text).to.include('reviewlab.ingress.tls.secretName gives "Lab_my-branch", which is not a valid Secret name');
    expect(staging(h).getObject("v1", "Namespace", undefined, "review-lab-my-branch")).to.equal(undefined);
  });
});
