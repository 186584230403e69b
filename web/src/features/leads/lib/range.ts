/** Report date ranges as the brand's calendar days (YYYY-MM-DD), not the browser's. */
export function brandDay(date: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);
}

/** The last `days` days up to today, both ends included. */
export function defaultRange(now: Date, timeZone: string, days = 7): { from: string; to: string } {
  const from = new Date(now.getTime() - (days - 1) * 86_400_000);
  return { from: brandDay(from, timeZone), to: brandDay(now, timeZone) };
}

export function validRange(range: { from: string; to: string }): boolean {
  const day = /^\d{4}-\d{2}-\d{2}$/;
  return day.test(range.from) && day.test(range.to) && range.from <= range.to;
}
