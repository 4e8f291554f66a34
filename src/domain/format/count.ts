// Counts in replies and notices: 4,812.

export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}
