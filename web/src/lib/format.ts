/**
 * Dates and durations in the brand's time zone (not the browser's): an agent in Madrid working
 * a Bogotá brand sees Bogotá's clock, like the brand's business hours.
 */
import type { Language } from './i18n';

let brandTimeZone = 'America/Bogota';

export function setBrandTimeZone(zone: string | null | undefined): void {
  if (zone) brandTimeZone = zone;
}

export function getBrandTimeZone(): string {
  return brandTimeZone;
}

function locale(language: Language): string {
  return language === 'en' ? 'en-US' : 'es-CO';
}

function toDate(value: string | number | Date): Date {
  return value instanceof Date ? value : new Date(value);
}

export function formatDateTime(value: string | number | Date, language: Language, timeZone = brandTimeZone): string {
  return new Intl.DateTimeFormat(locale(language), {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone,
  }).format(toDate(value));
}

export function formatTime(value: string | number | Date, language: Language, timeZone = brandTimeZone): string {
  return new Intl.DateTimeFormat(locale(language), { timeStyle: 'short', timeZone }).format(toDate(value));
}

/** "hoy 10:30", else the date: for list rows. */
export function formatShort(value: string | number | Date, language: Language, now = new Date(), timeZone = brandTimeZone): string {
  const day = (d: Date) => new Intl.DateTimeFormat('en-CA', { timeZone }).format(d);
  const date = toDate(value);
  if (day(date) === day(now)) return formatTime(date, language, timeZone);
  return new Intl.DateTimeFormat(locale(language), { day: 'numeric', month: 'short', timeZone }).format(date);
}

/** A compact duration: "45 s", "12 min", "3 h 5 min", "2 d". */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  return `${Math.floor(hours / 24)} d`;
}
