/** "a, b ,, c" → ["a", "b", "c"]: the tags of a note template as typed, trimmed, repeats dropped. */
export function parseTags(input: string): string[] {
  const seen = new Set<string>();
  for (const raw of input.split(',')) {
    const tag = raw.trim();
    if (tag && !seen.has(tag)) seen.add(tag);
  }
  return [...seen];
}
