import { describe, expect, it } from 'vitest';
import { GSM_BASIC, GSM_EXTENDED, remainingInSegment, smsInfo } from '../lib/sms';

// Expected figures come from the API's own `sms_info` (campaigns/content.py) for the same texts.
const CASES: [string, string, 'GSM-7' | 'UCS-2', number, number, number][] = [
  ['empty', '', 'GSM-7', 0, 0, 160],
  ['short', 'Hola', 'GSM-7', 4, 1, 160],
  ['160 GSM', 'a'.repeat(160), 'GSM-7', 160, 1, 160],
  ['161 GSM', 'a'.repeat(161), 'GSM-7', 161, 2, 153],
  ['306 GSM', 'a'.repeat(306), 'GSM-7', 306, 2, 153],
  ['307 GSM', 'a'.repeat(307), 'GSM-7', 307, 3, 153],
  ['80 euro signs count twice', '€'.repeat(80), 'GSM-7', 160, 1, 160],
  ['81 euro signs', '€'.repeat(81), 'GSM-7', 162, 2, 153],
  ['brackets count twice', '[]'.repeat(40) + 'a', 'GSM-7', 161, 2, 153],
  ['é is GSM-7', 'é'.repeat(10), 'GSM-7', 10, 1, 160],
  ['one á', 'á', 'UCS-2', 1, 1, 70],
  ['one á turns 71 into two UCS-2 parts', 'a'.repeat(70) + 'á', 'UCS-2', 71, 2, 67],
  ['Spanish accents', 'Hola Ñandú promoción', 'UCS-2', 20, 1, 70],
  ['an emoji takes two UTF-16 units', 'x'.repeat(69) + '😀', 'UCS-2', 71, 2, 67],
  ['lower-case ç is not GSM-7', 'ç'.repeat(70), 'UCS-2', 70, 1, 70],
  ['134 UCS-2', 'ó'.repeat(134), 'UCS-2', 134, 2, 67],
  ['135 UCS-2', 'ó'.repeat(135), 'UCS-2', 135, 3, 67],
];

describe('smsInfo', () => {
  it.each(CASES)('%s', (_name, text, encoding, characters, segments, perSegment) => {
    const info = smsInfo(text);
    expect([info.encoding, info.characters, info.segments, info.perSegment]).toEqual([encoding, characters, segments, perSegment]);
  });

  it('names the characters that force UCS-2, once each', () => {
    expect(smsInfo('Promoción única: ¡sí, sí!').offending).toEqual(['ó', 'ú', 'í']);
    expect(smsInfo('Hola amigo').offending).toEqual([]);
  });

  it('counts what is left in the current segment', () => {
    expect(remainingInSegment(smsInfo(''))).toBe(160);
    expect(remainingInSegment(smsInfo('a'.repeat(150)))).toBe(10);
    expect(remainingInSegment(smsInfo('a'.repeat(161)))).toBe(153 * 2 - 161);
    expect(remainingInSegment(smsInfo('á'))).toBe(69);
  });

  it('uses exactly the server’s GSM 03.38 tables', async () => {
    // Read the API's own source (vitest runs in Node; the app's tsconfig has no Node types, hence
    // the untyped import): a change on either side fails here, not in a customer's bill.
    const fs = (await import('node:fs' as string)) as { readFileSync: (path: string, encoding: 'utf8') => string };
    const file = new URL('../../../../../layers/skailan/skailan/campaigns/content.py', import.meta.url);
    // Under jsdom the module URL is the dev server's `/@fs/<absolute path>`.
    const source = fs.readFileSync(decodeURIComponent(file.pathname).replace(/^\/@fs/, ''), 'utf8');
    const basic = /GSM_BASIC = frozenset\(\s*((?:"(?:[^"\\]|\\.)*"\s*)+)\)/.exec(source)?.[1];
    const extended = /GSM_EXTENDED = frozenset\(("(?:[^"\\]|\\.)*")\)/.exec(source)?.[1];
    expect(basic).toBeTruthy();
    expect(extended).toBeTruthy();
    const parse = (literals: string) => (literals.match(/"(?:[^"\\]|\\.)*"/g) ?? []).map((l) => JSON.parse(l) as string).join('');
    expect([...GSM_BASIC].sort()).toEqual([...new Set(parse(basic ?? ''))].sort());
    expect([...GSM_EXTENDED].sort()).toEqual([...new Set(parse(extended ?? ''))].sort());
  });
});
