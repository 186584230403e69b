/**
 * The SMS segment counter, computed in the browser with the same rules as the API's preview
 * (layers/skailan/skailan/campaigns/content.py `sms_info`): GSM 03.38 — 160 per single message,
 * 153 per part of a longer one, the extension characters `^{}\[~]|€` (and form feed) count twice —
 * unless ONE character falls outside it; then the whole message is UCS-2: 70 / 67 UTF-16 units.
 */
export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsInfo {
  encoding: SmsEncoding;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
  characters: number;
  segments: number;
  perSegment: number;
  /** The characters that force UCS-2 (each once, in order of appearance). */
  offending: string[];
}

export const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
    '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
export const GSM_EXTENDED = new Set('\f^{}\\[~]|€');

export function isGsm7(ch: string): boolean {
  return GSM_BASIC.has(ch) || GSM_EXTENDED.has(ch);
}

export function smsInfo(text: string): SmsInfo {
  // Iterate by code point (like Python's str), so an emoji is one character outside GSM-7.
  const chars = Array.from(text);
  const offending = [...new Set(chars.filter((ch) => !isGsm7(ch)))];
  if (offending.length === 0) {
    const septets = chars.reduce((n, ch) => n + (GSM_EXTENDED.has(ch) ? 2 : 1), 0);
    if (septets <= 160) return { encoding: 'GSM-7', characters: septets, segments: septets ? 1 : 0, perSegment: 160, offending };
    return { encoding: 'GSM-7', characters: septets, segments: Math.ceil(septets / 153), perSegment: 153, offending };
  }
  // String length is UTF-16 code units: a character beyond the BMP (an emoji) takes two.
  const units = text.length;
  if (units <= 70) return { encoding: 'UCS-2', characters: units, segments: 1, perSegment: 70, offending };
  return { encoding: 'UCS-2', characters: units, segments: Math.ceil(units / 67), perSegment: 67, offending };
}

/** Characters left before the next segment starts (what the counter shows under the text box). */
export function remainingInSegment(info: SmsInfo): number {
  if (info.segments === 0) return info.perSegment;
  return info.segments * info.perSegment - info.characters;
}
