import { expect } from "chai";
import { drivesSandboxGithub } from "../../../src/commands/github/sandbox-only.js";

// /github is registered only against a sandbox's GitHub (main.ts): the sandbox config alone, pointed at github.com or
// another host by a real token and a missing or other GITHUB_API_URL, must not bring it.

describe("/github exists only against a sandbox's GitHub", () => {
  it("the embedded sandbox, or the sandbox config with GitHub on a loopback address", () => {
    expect(drivesSandboxGithub({ embeddedSandbox: true, sandboxConfig: true, githubBaseUrl: "http://127.0.0.1:41234" })).to.equal(true);
    expect(drivesSandboxGithub({ embeddedSandbox: false, sandboxConfig: true, githubBaseUrl: "http://127.0.0.1:41234" })).to.equal(true);
    expect(drivesSandboxGithub({ embeddedSandbox: false, sandboxConfig: true, githubBaseUrl: "http://localhost:3000/api/v3" })).to.equal(true);
    expect(drivesSandboxGithub({ embeddedSandbox: false, sandboxConfig: true, githubBaseUrl: "http://[::1]:3000" })).to.equal(true);
  });

  it("never the sandbox config against github.com (no GITHUB_API_URL), GitHub Enterprise or a look-alike host", () => {
    expect(drivesSandboxGithub({ embeddedSandbox: false, sandboxConfig: true })).to.equal(false);
    expect(drivesSandboxGithub({ embeddedSandbox: false, sandboxConfig: true, githubBaseUrl: "https://api.github.com" })).to.equal(false);
    expect(drivesSandboxGithub({ embeddedSandbox: false, sandboxConfig: true, githubBaseUrl: "https://github.example.com/api/v3" })).to.equal(false);
    expect(drivesSandboxGithub({ embeddedSandbox: false, sandboxConfig: true, githubBaseUrl: "http://127.0.0.1.evil.example.com" })).to.equal(false);
    expect(drivesSandboxGithub({ embeddedSandbox: false, sandboxConfig: true, githubBaseUrl: "http://localhost@github.com" })).to.equal(false);
    expect(drivesSandboxGithub({ embeddedSandbox: false, sandboxConfig: true, githubBaseUrl: "not a url" })).to.equal(false);
    expect(drivesSandboxGithub({ embeddedSandbox: false, sandboxConfig: false, githubBaseUrl: "http://127.0.0.1:41234" })).to.equal(false);
  });
});
