import { Cron } from "croner";

// Freeze windows: times when deploys to an environment are refused unless someone breaks the glass. Three sources:
// recurring windows from the config (a 5-field cron start, a duration and an IANA time zone, as Argo CD's sync
// windows), one-off windows from the config (start and end), and ad hoc freezes (`/deploy freeze`, kept in a Lease:
// freeze-store.ts). This file is pure: it answers "which windows hold at this instant" for the config's windows.

export interface RecurringWindowConfig {
  name?: string;
  /** When the window opens: minute hour day-of-month month day-of-week, read in `timeZone`. */
  schedule: string;
  /** How long it stays open from each start, e.g. "62h" or "1h30m" (elapsed time, so a DST change does not stretch it). */
  duration: string;
  timeZone: string;
  reason: string;
}

export interface OneOffWindowConfig {
  name?: string;
  /** RFC 3339 instants. */
  start: string;
  end: string;
  reason: string;
}

export type FreezeWindowConfig = RecurringWindowConfig | OneOffWindowConfig;

export interface FreezeWindow {
  kind: "recurring" | "one-off" | "ad-hoc";
  /** What the refusal calls it: the configured name, or "ad hoc freeze". */
  name: string;
  /** The environment the window is configured for (a canary deploy also meets its base environment's). */
  environment: string;
  /** Text from the config or from a person: shown as plain text, never as markup. */
  reason: string;
  start: Date;
  end: Date;
  /** Who froze it (Slack user id), for ad hoc freezes. */
  by?: string;
}

const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$/;

/** "62h", "1h30m", "2d" as milliseconds; undefined when it is not such a duration or is zero. */
export function windowDurationMs(text: string): number | undefined {
  const m = DURATION.exec(text);
  if (!m || text === "") return undefined;
  const [d, h, min] = m.slice(1).map((g) => Number(g ?? 0));
  const ms = ((d! * 24 + h!) * 60 + min!) * 60_000;
  return ms > 0 ? ms : undefined;
}

/** Whether `zone` is an IANA time zone this Node knows ("Europe/Berlin", "UTC"). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The schedule's problem, or undefined when croner takes it as a 5-field cron in that zone. */
export function scheduleProblem(schedule: string, timeZone: string): string | undefined {
  try {
    schedule5(schedule, timeZone);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** A cron evaluator only: without a function croner schedules no timer. */
function schedule5(schedule: string, timeZone: string): Cron {
  return new Cron(schedule, { timezone: timeZone, mode: "5-part", paused: true });
}

export function isRecurring(w: FreezeWindowConfig): w is RecurringWindowConfig {
  return "schedule" in w;
}

/** The configured name, else a description that says where it comes from. */
export function windowName(w: FreezeWindowConfig, index: number): string {
  if (w.name) return w.name;
  return isRecurring(w) ? `"${w.schedule}" (${w.timeZone}) for ${w.duration}` : `freezes[${index}]`;
}

/** The config's windows of `environment` that hold at `now`, soonest end first. */
export function configWindowsAt(environment: string, windows: readonly FreezeWindowConfig[], now: Date): FreezeWindow[] {
  const active: FreezeWindow[] = [];
  windows.forEach((w, i) => {
    const span = windowSpanAt(w, now);
    if (span) active.push({ kind: isRecurring(w) ? "recurring" : "one-off", name: windowName(w, i), environment, reason: w.reason, ...span });
  });
  return active.sort((a, b) => a.end.getTime() - b.end.getTime());
}

/** The span of `w` that contains `now`, or undefined. A recurring window's latest start at or before now decides. */
export function windowSpanAt(w: FreezeWindowConfig, now: Date): { start: Date; end: Date } | undefined {
  if (!isRecurring(w)) {
    const start = new Date(w.start);
    const end = new Date(w.end);
    return start <= now && now < end ? { start, end } : undefined;
  }
  const length = windowDurationMs(w.duration);
  if (length === undefined) return undefined;
  // previousRuns counts a start in the same second as the reference: one a millisecond later is still "now".
  const [start] = schedule5(w.schedule, w.timeZone).previousRuns(1, new Date(now.getTime() + 1));
  if (!start || start > now) return undefined;
  const end = new Date(start.getTime() + length);
  return now < end ? { start, end } : undefined;
}

/** The next window of the config to open after `now` (within `horizonMs`), for /deploy status. */
export function nextConfigWindow(environment: string, windows: readonly FreezeWindowConfig[], now: Date, horizonMs: number): FreezeWindow | undefined {
  let next: FreezeWindow | undefined;
  windows.forEach((w, i) => {
    let start: Date | undefined;
    let end: Date | undefined;
    if (isRecurring(w)) {
      const length = windowDurationMs(w.duration);
      start = schedule5(w.schedule, w.timeZone).nextRun(now) ?? undefined;
      end = start && length !== undefined ? new Date(start.getTime() + length) : undefined;
    } else {
      start = new Date(w.start);
      end = new Date(w.end);
    }
    if (!start || !end || start <= now || start.getTime() - now.getTime() > horizonMs) return;
    if (!next || start < next.start) next = { kind: isRecurring(w) ? "recurring" : "one-off", name: windowName(w, i), environment, reason: w.reason, start, end };
  });
  return next;
}
