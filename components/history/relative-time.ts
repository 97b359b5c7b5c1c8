const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// The browser's own locale: Intl words these ("5 minutes ago", "yesterday") in the user's
// language, so they need no entries in locales/.
let relative: Intl.RelativeTimeFormat | undefined;
let sameYear: Intl.DateTimeFormat | undefined;
let otherYear: Intl.DateTimeFormat | undefined;

/** "now", "5 minutes ago", "3 hours ago", "yesterday"; older than a week, the date itself. */
export function relativeTime(at: number, now: number): string {
  relative ??= new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  const ago = Math.max(0, now - at);
  if (ago < MINUTE) return relative.format(0, 'second');
  if (ago < HOUR) return relative.format(-Math.floor(ago / MINUTE), 'minute');
  if (ago < DAY) return relative.format(-Math.floor(ago / HOUR), 'hour');
  if (ago < 7 * DAY) return relative.format(-Math.floor(ago / DAY), 'day');
  if (new Date(at).getFullYear() === new Date(now).getFullYear()) {
    sameYear ??= new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
    return sameYear.format(at);
  }
  otherYear ??= new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
  return otherYear.format(at);
}

let full: Intl.DateTimeFormat | undefined;

/** The exact time, for a tooltip. */
export function fullTime(at: number): string {
  full ??= new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  return full.format(at);
}
