import { expect } from "chai";
import { useHarness } from "../../helpers/use-harness.js";
import { kubectl, output, sameAsKubectl } from "./kube-helpers.js";

// Every sandbox cluster has the `kubernetes` Service in `default` with its Endpoints and EndpointSlice, as a real
// cluster does; /kube shows it as kubectl shows it on the same sandbox.

describe("/kube and the kubernetes Service in default", function () {
  this.timeout(60_000);
  const h = useHarness();

  for (const cluster of ["production", "staging", "management"]) {
    it(`${cluster}: describe svc kubernetes and get svc,ep,endpointslices print what kubectl prints`, async () => {
      for (const args of ["describe svc kubernetes -n default", "get svc,ep,endpointslices -n default -o wide"]) {
        const [t, k] = await Promise.all([h.run(`/kube ${args} --cluster ${cluster}`, { user: "UADMIN" }), kubectl(h, cluster, args.split(" "))]);
        expect(t.final?.tone, t.text).to.equal("success");
        expect(k.stderr, k.stderr).to.equal("");
        expect(sameAsKubectl(output(t), k.stdout), `${output(t)}\n---\n${k.stdout}`).to.equal(true);
      }
      const described = output(await h.run(`/kube describe svc kubernetes -n default --cluster ${cluster}`, { user: "UADMIN" }));
      for (const line of [/^IP: +10\.96\.0\.1$/m, /^Port: +https {2}443\/TCP$/m, /^TargetPort: +6443\/TCP$/m, /^Endpoints: +10\.0\.0\.2:6443$/m]) expect(described).to.match(line);
    });
  }
});
