import { expect } from "chai";
import { join } from "node:path";
import { render as renderDir, ROOT } from "./rbac-helpers.js";

// The shipped overlays, as kubectl kustomize renders them: the probes and Prometheus read the ops listener
// (METRICS_PORT), and the Service an Ingress routes to carries only the public port.

type Obj = { kind: string; metadata: { name: string; annotations?: Record<string, string> }; spec: any };

async function render(overlay: string): Promise<Obj[]> {
  return (await renderDir(join(ROOT, overlay))) as unknown as Obj[];
}

describe("deploy/: /readyz and /metrics on their own port", function () {
  this.timeout(30_000);

  for (const overlay of ["deploy/overlays/http", "deploy/overlays/socket-mode"]) {
    it(`${overlay}: METRICS_PORT is set apart from PORT, and the probes and scrape annotations use it`, async () => {
      const objects = await render(overlay);
      const deployment = objects.find((o) => o.kind === "Deployment" && o.metadata.name === "tugboat")!;
      const pod = deployment.spec.template;
      const container = pod.spec.containers.find((c: { name: string }) => c.name === "tugboat");
      const env = Object.fromEntries(container.env.filter((e: { value?: string }) => e.value !== undefined).map((e: { name: string; value: string }) => [e.name, e.value]));
      const ports = Object.fromEntries(container.ports.map((p: { name: string; containerPort: number }) => [p.name, p.containerPort]));
      expect(env.METRICS_PORT).to.not.equal(undefined);
      expect(env.METRICS_PORT).to.not.equal(env.PORT);
      expect(ports.metrics).to.equal(Number(env.METRICS_PORT));
      expect(ports.http).to.equal(Number(env.PORT));
      expect(container.readinessProbe.httpGet).to.deep.equal({ path: "/readyz", port: "metrics" });
      expect(container.livenessProbe.httpGet.port).to.equal("metrics");
      expect(pod.metadata.annotations).to.include({ "prometheus.io/scrape": "true", "prometheus.io/port": env.METRICS_PORT, "prometheus.io/path": "/metrics" });
      const metricsService = objects.find((o) => o.kind === "Service" && o.metadata.name === "tugboat-metrics")!;
      expect(metricsService.spec.ports.map((p: { targetPort: string }) => p.targetPort)).to.deep.equal(["metrics"]);
      // No other Service reaches the metrics port.
      for (const svc of objects.filter((o) => o.kind === "Service" && o.metadata.name !== "tugboat-metrics")) {
        expect(svc.spec.ports.map((p: { targetPort: unknown }) => p.targetPort), svc.metadata.name).to.not.include("metrics").and.not.include(Number(env.METRICS_PORT));
      }
    });
  }

  it("deploy/monitoring: the ServiceMonitor scrapes the metrics Service's port", async () => {
    const [monitor] = await render("deploy/monitoring");
    expect(monitor!.kind).to.equal("ServiceMonitor");
    expect(monitor!.spec.selector.matchLabels).to.include({ "app.kubernetes.io/component": "metrics" });
    expect(monitor!.spec.endpoints[0]).to.include({ port: "metrics", path: "/metrics" });
  });
});
