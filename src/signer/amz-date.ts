/**
 * SigV4 timestamps: `x-amz-date` is `YYYYMMDD'T'HHMMSS'Z'` (UTC) and the credential scope uses the
 * `YYYYMMDD` part. Computed with integer arithmetic: Date#toISOString costs about as much as the
 * HMAC we are trying to stay close to.
 */
import { SigningError, SigningRangeError } from './errors.js';

export const MS_PER_DAY = 86_400_000;

// 0000-01-01 .. 9999-12-31: the years that fit the 4-digit format.
const MIN_MS = -62_167_219_200_000;
const MAX_MS = 253_402_300_799_999;

const PAD2: readonly string[] = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : String(i)));

/** Milliseconds since the epoch of a valid Date in the 4-digit-year range, or a typed error. */
export function epochMs(date: Date): number {
  if (!(date instanceof Date)) throw new SigningError('InvalidDate', 'date must be a Date', 'date');
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw new SigningError('InvalidDate', 'date is an invalid Date', 'date');
  if (ms < MIN_MS || ms > MAX_MS) {
    throw new SigningRangeError('DateOutOfRange', 'date must fall in the years 0000..9999', 'date');
  }
  return ms;
}

/** `YYYYMMDD` of a day counted from 1970-01-01 (civil-from-days, H. Hinnant, proleptic Gregorian). */
export function dateStampOfDay(day: number): string {
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${PAD2[Math.floor(y / 100)]}${PAD2[y % 100]}${PAD2[m]}${PAD2[d]}`;
}

/** `HHMMSS` of an instant, given its day number. */
export function timeOfDay(ms: number, day: number): string {
  const s = Math.floor((ms - day * MS_PER_DAY) / 1000);
  return `${PAD2[Math.floor(s / 3600)]}${PAD2[Math.floor(s / 60) % 60]}${PAD2[s % 60]}`;
}

/** The `x-amz-date` form of a Date, e.g. `20130524T000000Z`. */
export function toAmzDate(date: Date): string {
  const ms = epochMs(date);
  const day = Math.floor(ms / MS_PER_DAY);
  return `${dateStampOfDay(day)}T${timeOfDay(ms, day)}Z`;
}
