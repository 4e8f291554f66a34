import { expect } from "chai";
import { configWindowsAt, nextConfigWindow, scheduleProblem, windowDurationMs, windowSpanAt, type FreezeWindowConfig } from "../../src/domain/freeze/freeze-windows.js";
import { buildConfigSchema } from "../../src/config/schema.js";
import { ManualClock } from "../helpers/manual-clock.js";

// Which configured freeze windows hold at an instant. Time comes from the manual clock, never the wall clock.

const HOUR = 3600_000;

describe("freeze windows", () => {
  // Weekdays 09:00-17:00 in Berlin: 8 h from each start. Europe/Berlin leaves CET (UTC+1) for CEST (UTC+2) at
  // 2026-03-29 02:00 local, so 09:00 local is 08:00 UTC before and 07:00 UTC after.
  const office: FreezeWindowConfig = { name: "office hours", schedule: "0 9 * * 1-5", duration: "8h", timeZone: "Europe/Berlin", reason: "people at work" };

  it("reads a recurring window in its time zone on both sides of a DST change", () => {
    const clock = new ManualClock(Date.parse("2026-03-27T07:30:00Z")); // Friday 08:30 CET: before the window
    expect(configWindowsAt("production", [office], clock.now())).to.deep.equal([]);
    clock.advance(HOUR); // 09:30 CET
    const [w] = configWindowsAt("production", [office], clock.now());
    expect(w, "open at 09:30 CET").to.include({ kind: "recurring", name: "office hours", environment: "production", reason: "people at work" });
    expect(w!.start.toISOString()).to.equal("2026-03-27T08:00:00.000Z");
    expect(w!.end.toISOString()).to.equal("2026-03-27T16:00:00.000Z");

    clock.advance(Date.parse("2026-03-30T07:30:00Z") - clock.now().getTime()); // Monday 09:30 CEST, after the change
    const [after] = configWindowsAt("production", [office], clock.now());
    expect(after?.start.toISOString(), "09:00 CEST is 07:00 UTC").to.equal("2026-03-30T07:00:00.000Z");
    expect(after?.end.toISOString()).to.equal("2026-03-30T15:00:00.000Z");
    clock.advance(Date.parse("2026-03-30T15:00:00Z") - clock.now().getTime()); // 17:00 CEST: the end is exclusive
    expect(configWindowsAt("production", [office], clock.now())).to.deep.equal([]);
    clock.advance(-1);
    expect(configWindowsAt("production", [office], clock.now())).to.have.length(1);
  });

  it("keeps a window's length in elapsed time when it spans the DST change (Friday 18:00 for 62 h)", () => {
    const weekend: FreezeWindowConfig = { name: "weekend", schedule: "0 18 * * 5", duration: "62h", timeZone: "Europe/Berlin", reason: "weekend" };
    // Friday 2026-03-27 18:00 CET = 17:00 UTC; 62 h later is Monday 07:00 UTC (09:00 CEST, one hour later on the wall).
    expect(windowSpanAt(weekend, new Date("2026-03-30T06:59:59Z"))?.end.toISOString()).to.equal("2026-03-30T07:00:00.000Z");
    expect(windowSpanAt(weekend, new Date("2026-03-30T07:00:00Z"))).to.equal(undefined);
    expect(windowSpanAt(weekend, new Date("2026-03-27T16:59:59Z"))).to.equal(undefined);
    expect(windowSpanAt(weekend, new Date("2026-03-27T17:00:00Z"))?.start.toISOString(), "the start is inclusive").to.equal("2026-03-27T17:00:00.000Z");
  });

  it("holds a one-off window from its start (inclusive) to its end (exclusive), and names unnamed windows", () => {
    const holidays: FreezeWindowConfig = { start: "2026-12-20T00:00:00+01:00", end: "2027-01-04T00:00:00+01:00", reason: "holidays" };
    expect(configWindowsAt("staging", [holidays], new Date("2026-12-19T22:59:59Z"))).to.deep.equal([]);
    const [w] = configWindowsAt("staging", [office, holidays], new Date("2026-12-19T23:00:00Z"));
    expect(w).to.include({ kind: "one-off", name: "freezes[1]", reason: "holidays" });
    expect(configWindowsAt("staging", [holidays], new Date("2027-01-03T23:00:00Z"))).to.deep.equal([]);
  });

  it("lists the windows holding at once soonest end first, and finds the next one to open", () => {
    const short: FreezeWindowConfig = { name: "short", schedule: "0 10 * * *", duration: "1h", timeZone: "UTC", reason: "a" };
    const long: FreezeWindowConfig = { name: "long", schedule: "0 9 * * *", duration: "5h", timeZone: "UTC", reason: "b" };
    expect(configWindowsAt("e", [long, short], new Date("2026-05-05T10:30:00Z")).map((w) => w.name)).to.deep.equal(["short", "long"]);
    const next = nextConfigWindow("e", [long, short], new Date("2026-05-05T08:00:00Z"), 24 * HOUR);
    expect(next?.name).to.equal("long");
    expect(nextConfigWindow("e", [long], new Date("2026-05-05T08:00:00Z"), 30 * 60_000), "beyond the horizon").to.equal(undefined);
  });

  it("parses durations and schedules strictly", () => {
    expect(windowDurationMs("1h30m")).to.equal(90 * 60_000);
    expect(windowDurationMs("2d")).to.equal(48 * HOUR);
    for (const bad of ["", "0m", "1.5h", "h", "1w", "-1h", "1h 30m"]) expect(windowDurationMs(bad), bad).to.equal(undefined);
    expect(scheduleProblem("0 9 * * 1-5", "UTC")).to.equal(undefined);
    expect(scheduleProblem("0 9 * *", "UTC")).to.be.a("string");
    expect(scheduleProblem("0 0 9 * * 1", "UTC"), "seconds are not part of the grammar").to.be.a("string");
    expect(scheduleProblem("61 9 * * *", "UTC")).to.be.a("string");
  });

  it("refuses a config whose windows do not parse, naming the field", () => {
    const base = { defaultCluster: "c", clusters: { c: {} }, roles: { r: { permissions: ["*"] } } };
    const withFreezes = (freezes: unknown[]) => buildConfigSchema().safeParse({ ...base, environments: { staging: { cluster: "c", freezes } } });
    expect(withFreezes([office]).success).to.equal(true);
    const cases: Array<[unknown, string]> = [
      [{ ...office, timeZone: "Mars/Olympus" }, "timeZone"],
      [{ ...office, schedule: "every day" }, "schedule"],
      [{ ...office, duration: "forever" }, "duration"],
      [{ ...office, reason: "" }, "reason"],
      [{ ...office, reason: "evil\u202Eoverride" }, "reason"],
      [{ start: "2026-12-20T00:00:00Z", end: "2026-12-19T00:00:00Z", reason: "x" }, "end"],
      [{ start: "tomorrow", end: "2026-12-19T00:00:00Z", reason: "x" }, "start"],
    ];
    for (const [w, field] of cases) {
      const r = withFreezes([w]);
      expect(r.success, JSON.stringify(w)).to.equal(false);
      expect(JSON.stringify(r.error?.issues), JSON.stringify(w)).to.contain(field);
    }
  });
});
