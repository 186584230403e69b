import { useT } from '@/lib/i18n';
import type { MessageKey } from '@/lib/i18n';

const GLYPHS: Record<string, { glyph: string; color: string }> = {
  whatsapp: { glyph: 'WA', color: '#0f6b3a' },
  messenger: { glyph: 'FB', color: '#0b5cad' },
  instagram: { glyph: 'IG', color: '#9b1c5a' },
  telegram: { glyph: 'TG', color: '#0b6a9b' },
  email: { glyph: '@', color: '#5b4a00' },
  sms: { glyph: 'SMS', color: '#4a4f57' },
  webchat: { glyph: 'WEB', color: '#5a3ea8' },
};

/** The channel as a small badge with its name for screen readers (no icon font, no CDN). */
export function ChannelIcon({ channel }: { channel: string }) {
  const t = useT();
  const known = GLYPHS[channel];
  const label = known ? t(`channel.${channel}` as MessageKey) : channel;
  return (
    <span className="channel-icon" style={{ background: known?.color ?? '#4a4f57' }} title={label}>
      <span aria-hidden="true">{known?.glyph ?? channel.slice(0, 2).toUpperCase()}</span>
      <span className="visually-hidden">{label}</span>
    </span>
  );
}

export const CHANNELS = Object.keys(GLYPHS);
