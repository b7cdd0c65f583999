// Form validation that mirrors the server's rules, so that people see problems
// before they submit. Each check returns null when fine, else an i18n key under
// `validation` (with values for interpolation).

export interface Problem {
  key: string;
  values?: Record<string, string | number>;
}

const EMAIL = /^[^\s@<>()[\],;:"]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/i;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

export function email(v: string): Problem | null {
  const s = v.trim();
  if (!s) return { key: 'required' };
  if (s.length > 254 || !EMAIL.test(s)) return { key: 'email' };
  return null;
}

/**
 * A phone number as the server keeps it (auth.NormalizePhone): spaces, dashes and
 * brackets dropped, a mainland mobile's +86 dropped; null when it is no phone
 * number (11 digits 1[3-9]…, or + and 8 to 15 digits).
 */
export function normalizePhone(v: string): string | null {
  let s = v.replace(/[\s\u3000()-]/g, '');
  if (/^\+861[3-9]\d{9}$/.test(s)) s = s.slice(3);
  return /^1[3-9]\d{9}$/.test(s) || /^\+[1-9]\d{7,14}$/.test(s) ? s : null;
}

/** Mainland mobile numbers (11 digits starting with 1) or +country code numbers; empty is fine. */
export function phone(v: string): Problem | null {
  if (!v.trim()) return null;
  return normalizePhone(v) ? null : { key: 'phone' };
}

/** A member needs an email or a phone number (or both). */
export function emailOrPhone(email: string, phone: string): Problem | null {
  return email.trim() || phone.trim() ? null : { key: 'emailOrPhone' };
}

/**
 * What the one sign-in field holds, as the login mutation takes it: an email
 * (it has an '@'; a phone number never does) or a phone number.
 */
export function signInName(v: string): { email: string; phone?: undefined } | { phone: string; email?: undefined } {
  const s = v.trim();
  return s.includes('@') ? { email: s } : { phone: s };
}

/** The sign-in field: a valid email or phone number. */
export function signInProblem(v: string): Problem | null {
  const s = v.trim();
  if (!s) return { key: 'required' };
  const n = signInName(s);
  if (n.email !== undefined) return email(n.email) ? { key: 'signInName' } : null;
  return normalizePhone(n.phone) ? null : { key: 'signInName' };
}

/** Meeting passwords: empty or up to 32 characters without control characters; digits only suit SIP terminals. */
export function meetingPassword(v: string): Problem | null {
  if (!v) return null;
  if (CONTROL.test(v)) return { key: 'control' };
  if (v.length > 32) return { key: 'maxLength', values: { max: 32 } };
  return null;
}

/** Whether a SIP terminal can key the password in (digits only). */
export function sipFriendly(v: string): boolean {
  return /^\d*$/.test(v);
}

/** Cloud room passwords: empty or 4 to 16 digits. */
export function roomPassword(v: string): Problem | null {
  if (!v) return null;
  return /^\d{4,16}$/.test(v) ? null : { key: 'roomPassword' };
}

/** Cloud room numbers: 4 to 11 digits, not starting with 0. */
export function roomNumber(v: string): Problem | null {
  return /^[1-9]\d{3,10}$/.test(v.trim()) ? null : { key: 'roomNumber' };
}

/** Meeting numbers as people type them: digits, spaces and dashes allowed and ignored. */
export function normalizeMeetingNumber(v: string): string {
  return v.replace(/[\s-]/g, '');
}
export function meetingNumber(v: string): Problem | null {
  const s = normalizeMeetingNumber(v);
  if (!s) return { key: 'required' };
  return /^\d{4,11}$/.test(s) ? null : { key: 'meetingNumber' };
}

/** Account passwords: at least 8 characters (the server's rule), at most 128. */
export function accountPassword(v: string): Problem | null {
  if (v.length < 8) return { key: 'passwordShort', values: { min: 8 } };
  if (v.length > 128) return { key: 'maxLength', values: { max: 128 } };
  return null;
}

export function domain(v: string): Problem | null {
  return DOMAIN.test(v.trim()) ? null : { key: 'domain' };
}

/** Like #1677ff. */
export function color(v: string): Problem | null {
  return /^#[0-9a-f]{6}$/i.test(v) ? null : { key: 'color' };
}

export function enterpriseCode(v: string): Problem | null {
  return /^[a-z0-9][a-z0-9-]{1,31}$/.test(v) ? null : { key: 'enterpriseCode' };
}

export function employeeNo(v: string): Problem | null {
  if (!v) return null;
  return /^[A-Za-z0-9_-]{1,32}$/.test(v) ? null : { key: 'employeeNo' };
}

export function intInRange(v: number | null | undefined, min: number, max: number): Problem | null {
  if (v === null || v === undefined || Number.isNaN(v)) return { key: 'required' };
  if (!Number.isInteger(v) || v < min || v > max) return { key: 'range', values: { min, max } };
  return null;
}

export function text(v: string, max: number, required = true): Problem | null {
  const s = v.trim();
  if (required && !s) return { key: 'required' };
  if ([...s].length > max) return { key: 'maxLength', values: { max } };
  return null;
}

/** Splits pasted text into email addresses; returns the valid ones and the rest. */
export function splitEmails(v: string): { valid: string[]; invalid: string[] } {
  const valid: string[] = [];
  const invalid: string[] = [];
  for (const part of v.split(/[\s,;，；、]+/)) {
    const s = part.trim().replace(/^<|>$/g, '');
    if (!s) continue;
    if (email(s)) invalid.push(s);
    else if (!valid.includes(s.toLowerCase())) valid.push(s.toLowerCase());
  }
  return { valid, invalid };
}

/** A six-digit meeting password, as the server would generate. */
export function generatePassword(random: () => number = Math.random): string {
  let s = '';
  for (let i = 0; i < 6; i++) s += Math.floor(random() * 10).toString();
  return s;
}
