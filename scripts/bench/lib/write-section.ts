import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./processes.js";

// Writes one benchmark's results into docs/benchmarks.md: the `## ` section gets the new run, and the run it held
// moves, unchanged, to the top of "## History" (as `### <section>, earlier run`). Other sections stay as they are.

const HISTORY = "## History";

export function writeSection(heading: string, body: string, path = join(ROOT, "docs/benchmarks.md")): void {
  const text = existsSync(path) ? readFileSync(path, "utf8") : "# Benchmarks\n";
  let lines = text.split("\n");
  const span = (h: string): [number, number] | undefined => {
    const start = lines.findIndex((l) => l.trim() === h);
    if (start < 0) return undefined;
    const end = lines.findIndex((l, i) => i > start && l.startsWith("## "));
    return [start, end < 0 ? lines.length : end];
  };
  const old = span(heading);
  let previous: string[] = [];
  if (old) {
    previous = lines.slice(old[0] + 1, old[1]);
    lines = [...lines.slice(0, old[0]), ...[heading, "", body, ""], ...lines.slice(old[1])];
  } else {
    const history = span(HISTORY);
    const at = history ? history[0] : lines.length;
    lines = [...lines.slice(0, at), ...[heading, "", body, ""], ...lines.slice(at)];
  }
  if (previous.some((l) => l.trim() !== "")) {
    let history = span(HISTORY);
    if (!history) {
      lines.push("", HISTORY, "", "Earlier runs, newest first, as they were written.", "");
      history = span(HISTORY)!;
    }
    const moved = [`### ${heading.replace(/^## /, "")}, earlier run`, "", ...previous.map((l) => (l.startsWith("### ") ? `#${l}` : l)), ""];
    const insertAt = history[0] + 4 <= history[1] ? history[0] + 4 : history[1];
    lines = [...lines.slice(0, insertAt), ...moved, ...lines.slice(insertAt)];
  }
  writeFileSync(path, lines.join("\n").replace(/\n{3,}/g, "\n\n"));
}

/** Prints a benchmark's results and, unless --no-write was given, writes them into docs/benchmarks.md. */
export function publish(heading: string, body: string): void {
  process.stdout.write(body + "\n");
  if (!process.argv.includes("--no-write")) writeSection(heading, body);
}
