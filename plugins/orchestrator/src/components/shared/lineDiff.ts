/** One line of a line diff: kept, added (`+`) or removed (`-`). */
export interface DiffLine {
  kind: ' ' | '+' | '-';
  text: string;
}

/**
 * The line diff from `before` to `after` by longest common subsequence, so
 * moved or edited lines show as a removal and an addition.
 */
export function lineDiff(before: string, after: string): DiffLine[] {
  const a = before === '' ? [] : before.replace(/\n$/, '').split('\n');
  const b = after === '' ? [] : after.replace(/\n$/, '').split('\n');
  // common[i][j]: length of the longest common subsequence of a[i..] and b[j..].
  const common = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      common[i][j] = a[i] === b[j] ? common[i + 1][j + 1] + 1 : Math.max(common[i + 1][j], common[i][j + 1]);
    }
  }
  const lines: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      lines.push({ kind: ' ', text: a[i++] });
      j++;
    } else if (i < a.length && (j === b.length || common[i + 1][j] >= common[i][j + 1])) {
      // Removals before additions, as in unified diffs.
      lines.push({ kind: '-', text: a[i++] });
    } else {
      lines.push({ kind: '+', text: b[j++] });
    }
  }
  return lines;
}
