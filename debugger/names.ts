// "Did you mean": the known names closest to a mistyped one, for one-line user errors.

/** Up to `count` of `known` closest to `wanted`: containing it (or contained in it) first, then by edit distance. */
export function closeMatches(wanted: string, known: Iterable<string>, count = 3): string[] {
  const w = wanted.toLowerCase();
  const scored: { name: string; score: number }[] = [];
  for (const name of new Set(known)) {
    const n = name.toLowerCase();
    const contains = n.includes(w) || w.includes(n);
    const distance = editDistance(w, n);
    // Beyond half the longer name, a name is not "close", unless one contains the other.
    if (!contains && distance > Math.max(w.length, n.length) / 2) continue;
    scored.push({ name, score: contains ? distance - 1000 : distance });
  }
  return scored.sort((a, b) => a.score - b.score || a.name.localeCompare(b.name)).slice(0, count).map((s) => s.name);
}

/** ", close: 'a', 'b'" or '' when nothing is close. */
export function closeMatchesText(wanted: string, known: Iterable<string>): string {
  const close = closeMatches(wanted, known);
  return close.length === 0 ? '' : ` (close: ${close.map((c) => `'${c}'`).join(', ')})`;
}

/** Levenshtein distance, two rows. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    prev = row;
  }
  return prev[b.length]!;
}
