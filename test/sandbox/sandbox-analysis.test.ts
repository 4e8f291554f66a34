import { expect } from "chai";
import { SANDBOX_PROMETHEUS_ENV, startSandbox, TEST_DELAYS } from "@tugboat/sandbox";
import { prometheusBinary, waitForSeries } from "../helpers/prometheus.js";

// npm start's embedded sandbox (analysis: true) serves its pods' request metrics to a Prometheus it starts, so a
// canary on the sandbox is judged by real figures; without Prometheus it says analysis is off and how to install it.

describe("the sandbox with canary analysis (npm start)", function () {
  this.timeout(30000);

  it("starts a Prometheus on loopback that scrapes the running pods, names it in env, and stops it", async () => {
    prometheusBinary(); // fails (never skips) when it is not installed, saying what to install
    const sandbox = await startSandbox({ writeFiles: false, delays: TEST_DELAYS, analysis: true });
    let url: string | undefined;
    try {
      expect(sandbox.analysis).to.have.property("prometheusUrl");
      url = (sandbox.analysis as { prometheusUrl: string }).prometheusUrl;
      expect(url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(sandbox.env[SANDBOX_PROMETHEUS_ENV]).to.equal(url);
      await waitForSeries(url, 'http_requests_total{namespace="github-production",code="200"}');
    } finally {
      await sandbox.stop();
    }
    const after = await fetch(`${url}/-/ready`).then((r) => r.ok).catch(() => false);
    expect(after, "Prometheus still answers after stop").to.equal(false);
  });

  it("says in one line that analysis is off and how to install Prometheus when it is missing", async () => {
    const sandbox = await startSandbox({ writeFiles: false, delays: TEST_DELAYS, analysis: true, prometheusBinary: false });
    try {
      expect(sandbox.analysis).to.deep.equal({ off: "canary analysis is off: prometheus is not installed: run `sudo apt-get install prometheus` and start again" });
      expect(sandbox.env).not.to.have.property(SANDBOX_PROMETHEUS_ENV);
    } finally {
      await sandbox.stop();
    }
  });

  it("starts nothing for analysis unless asked (the tests start their own)", async () => {
    const sandbox = await startSandbox({ writeFiles: false, delays: TEST_DELAYS });
    try {
      expect(sandbox.analysis).to.equal(undefined);
    } finally {
      await sandbox.stop();
    }
  });
});
