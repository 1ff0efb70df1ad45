/**
 * What changed between two wordings, character by character (Chinese has no spaces to split
 * words on, and a template is short): the longest common subsequence, as runs of kept, removed
 * and added text. Texts longer than `MAX_DIFF_LENGTH` are compared as one removal and one
 * addition rather than paying for a quadratic table.
 */

export interface DiffPart {
  kind: 'same' | 'removed' | 'added';
  text: string;
}

export const MAX_DIFF_LENGTH = 2_000;

export function diffText(before: string, after: string): DiffPart[] {
  const a = [...before];
  const b = [...after];
  // Common ends first: most edits touch one place, and the table shrinks to the middle.
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const parts: DiffPart[] = [];
  const push = (kind: DiffPart['kind'], text: string) => {
    if (text === '') return;
    const last = parts.at(-1);
    if (last && last.kind === kind) last.text += text;
    else parts.push({ kind, text });
  };
  push('same', a.slice(0, start).join(''));
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  if (midA.length > MAX_DIFF_LENGTH || midB.length > MAX_DIFF_LENGTH) {
    push('removed', midA.join(''));
    push('added', midB.join(''));
  } else {
    for (const part of middle(midA, midB)) push(part.kind, part.text);
  }
  push('same', a.slice(endA).join(''));
  return parts;
}

function middle(a: string[], b: string[]): DiffPart[] {
  const n = a.length;
  const m = b.length;
  // lengths[i][j]: the longest common subsequence of a[i..] and b[j..], one flat array.
  const width = m + 1;
  const lengths = new Uint16Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lengths[i * width + j] =
        a[i] === b[j]
          ? (lengths[(i + 1) * width + j + 1] ?? 0) + 1
          : Math.max(lengths[(i + 1) * width + j] ?? 0, lengths[i * width + j + 1] ?? 0);
    }
  }
  const out: DiffPart[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({ kind: 'same', text: a[i] as string });
      i++;
      j++;
    } else if ((lengths[(i + 1) * width + j] ?? 0) >= (lengths[i * width + j + 1] ?? 0)) {
      out.push({ kind: 'removed', text: a[i] as string });
      i++;
    } else {
      out.push({ kind: 'added', text: b[j] as string });
      j++;
    }
  }
  for (; i < n; i++) out.push({ kind: 'removed', text: a[i] as string });
  for (; j < m; j++) out.push({ kind: 'added', text: b[j] as string });
  return out;
}
