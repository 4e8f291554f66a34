import { expect } from "chai";
import { humanDuration, ageSince } from "../../../src/domain/format/human-duration.js";
import { tabwrite, KUBECTL_DESCRIBE } from "../../../src/commands/kube/tabwriter.js";
import { renderTable, kindPrefix, goSprint } from "../../../src/commands/kube/render-table.js";
import type { KubeTable } from "../../../src/gateways/types.js";
import { readGolden } from "../../helpers/goldens.js";

// The kubectl printer, offline: golden pairs captured from the sandbox (the server's Table JSON and what
// /usr/bin/kubectl printed for it at the same moment) in test/golden/kube. They are named here, so a missing
// pair fails rather than being skipped.

const GOLDENS = [
  "crds-production",
  "deployments-production-wide",
  "machinedeployments-production",
  "nodes-production-wide",
  "pods-all-wide",
  "pods-staging",
  "secrets-staging",
  "services-production",
];
const NOW = new Date("2026-01-10T12:00:00Z");

function toKubeTable(raw: any): KubeTable {
  return {
    serverTable: true,
    columns: raw.columnDefinitions.map((c: any) => ({ name: c.name, type: c.type, format: c.format, priority: c.priority ?? 0 })),
    rows: raw.rows.map((r: any) => ({ cells: r.cells, object: r.object })),
  };
}

describe("/kube printer: kubectl goldens", () => {
  for (const name of GOLDENS) {
    it(`prints ${name} exactly as kubectl did`, () => {
      const { kubectl, table } = JSON.parse(readGolden(`kube/${name}.table.json`));
      const expected = readGolden(`kube/${name}.kubectl.txt`);
      const args: string[] = kubectl.split(" ");
      const text = renderTable(toKubeTable(table), { wide: args.includes("wide"), withNamespace: args.includes("-A"), now: NOW });
      expect(text + "\n").to.equal(expected);
    });
  }
});

describe("/kube printer: HumanDuration", () => {
  const s = 1000;
  const cases: Array<[number, string]> = [
    [-5 * s, "<invalid>"],
    [-1500, "0s"],
    [0, "0s"],
    [59 * s, "59s"],
    [119 * s, "119s"],
    [120 * s, "2m"],
    [312 * s, "5m12s"],
    [600 * s, "10m"],
    [179 * 60 * s, "179m"],
    [3 * 3600 * s, "3h"],
    [(3 * 3600 + 20 * 60) * s, "3h20m"],
    [8 * 3600 * s, "8h"],
    [47 * 3600 * s, "47h"],
    [48 * 3600 * s, "2d"],
    [(3 * 24 + 4) * 3600 * s, "3d4h"],
    [8 * 24 * 3600 * s, "8d"],
    [729 * 24 * 3600 * s, "729d"],
    [730 * 24 * 3600 * s, "2y"],
    [(2 * 365 + 30) * 24 * 3600 * s, "2y30d"],
    [9 * 365 * 24 * 3600 * s, "9y"],
  ];
  for (const [ms, want] of cases) it(`${ms} ms → ${want}`, () => expect(humanDuration(ms)).to.equal(want));
  it("formats timestamps and unknowns like translateTimestampSince", () => {
    expect(ageSince("2026-01-10T11:54:48Z", NOW)).to.equal("5m12s");
    expect(ageSince(undefined, NOW)).to.equal("<unknown>");
  });
});

describe("/kube printer: tabwriter and decoration", () => {
  it("pads to the widest cell + 3, minimum width 6, never pads the last cell", () => {
    expect(tabwrite([["A", "B", "C"], ["long-name", "x", "y"]])).to.equal("A           B     C\nlong-name   x     y");
  });
  it("counts runes, not bytes", () => {
    expect(tabwrite([["é", "x"], ["ab", "y"]])).to.equal("é     x\nab    y");
  });
  it("computes column blocks like Go (lines without the column end the block)", () => {
    expect(tabwrite([["Name:", "a"], ["Spec:"], ["  Replicas:", "3"]], KUBECTL_DESCRIBE)).to.equal("Name:  a\nSpec:\n  Replicas:  3");
  });
  const table: KubeTable = {
    serverTable: true,
    columns: [
      { name: "Name", type: "string", format: "name", priority: 0 },
      { name: "Ready", type: "integer", priority: 0 },
      { name: "Note", type: "string", priority: 1 },
      { name: "Age", type: "date", priority: 0 },
    ],
    rows: [
      { cells: ["a", 3, "two\nlines", "2026-01-10T11:54:48Z"], object: { metadata: { name: "a", namespace: "ns1" } } },
      { cells: ["bb", null, "esc\u001b", "5m"], object: { metadata: { name: "bb", namespace: "ns2" } } },
    ],
  };
  it("hides priority>0 columns unless wide; formats raw timestamps in Age; nil prints nothing", () => {
    expect(renderTable(table, { wide: false, withNamespace: false, now: NOW })).to.equal("NAME   READY   AGE\na      3       5m12s\nbb             5m");
  });
  it("wide shows every column, cuts cells at a line break with ..., escapes ESC", () => {
    expect(renderTable(table, { wide: true, withNamespace: false, now: NOW })).to.equal(
      "NAME   READY   NOTE     AGE\na      3       two...   5m12s\nbb             esc^[    5m",
    );
  });
  it("-A adds NAMESPACE from the row's metadata; multi-type prefixes kind.group/", () => {
    const text = renderTable(table, { wide: false, withNamespace: true, kindPrefix: kindPrefix({ kind: "Deployment", group: "apps" }), now: NOW });
    expect(text.split("\n")[0]).to.equal("NAMESPACE   NAME                 READY   AGE");
    expect(text.split("\n")[1]).to.equal("ns1         deployment.apps/a    3       5m12s");
  });
  it("prints nothing (no header) for an empty table", () => {
    expect(renderTable({ ...table, rows: [] }, { wide: false, withNamespace: false, now: NOW })).to.equal("");
  });
  it("prints non-string cells as Go's fmt.Sprint would", () => {
    expect(goSprint([1, "a"])).to.equal("[1 a]");
    expect(goSprint({ b: 1, a: true })).to.equal("map[a:true b:1]");
    expect(goSprint(2.5)).to.equal("2.5");
  });
  it("kind prefixes are kubectl's lower-cased GroupKind", () => {
    expect(kindPrefix({ kind: "Pod", group: "" })).to.equal("pod");
    expect(kindPrefix({ kind: "MachineDeployment", group: "cluster.x-k8s.io" })).to.equal("machinedeployment.cluster.x-k8s.io");
  });
});
