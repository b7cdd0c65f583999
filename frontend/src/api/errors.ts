// GraphQL errors in the user's language. The server gives every error
// extensions.code (UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, BAD_USER_INPUT, CONFLICT,
// RATE_LIMITED, INTERNAL), often extensions.field, and for booking conflicts the
// clashing meeting; its messages are English. describe() turns them into a message
// from the i18n dictionary (`errors.*`), falling back from the most specific
// (code + field + message pattern) to the code alone.

/** One error as the server sent it. */
export interface ApiError {
  code: string;
  message: string;
  field?: string;
  reason?: string;
  extensions: Record<string, unknown>;
}

/** The translate function's shape (i18next's t). */
export type Translate = (key: string, values?: Record<string, unknown>) => string;

/** Formats an RFC 3339 time for messages (the caller's zone and language). */
export type TimeFormat = (iso: string) => string;

interface GraphQLErrorLike {
  message: string;
  extensions?: Record<string, unknown> | null;
}
interface CombinedErrorLike {
  graphQLErrors?: GraphQLErrorLike[];
  networkError?: unknown;
  response?: { status?: number };
}

/** Extracts the server's errors from an urql CombinedError (or anything thrown). */
export function apiErrors(err: unknown): ApiError[] {
  if (!err || typeof err !== 'object') return [];
  const c = err as CombinedErrorLike;
  if (Array.isArray(c.graphQLErrors) && c.graphQLErrors.length) {
    return c.graphQLErrors.map((g) => {
      const ext = g.extensions ?? {};
      return {
        code: typeof ext.code === 'string' ? ext.code : 'INTERNAL',
        message: g.message,
        field: typeof ext.field === 'string' ? ext.field : undefined,
        reason: typeof ext.reason === 'string' ? ext.reason : undefined,
        extensions: ext,
      };
    });
  }
  return [];
}

/** Whether err is (or holds) an error with the given code. */
export function hasCode(err: unknown, code: string): boolean {
  return apiErrors(err).some((e) => e.code === code);
}

/**
 * When err says the meeting has not started yet (the host has not opened it), what
 * is known of it: its booked start (RFC 3339) if the server said; else null.
 */
export function notStarted(err: unknown): { startsAt?: string } | null {
  const e = apiErrors(err).find((x) => x.code === 'CONFLICT' && /not started yet/i.test(x.message));
  if (!e) return null;
  return typeof e.extensions.startsAt === 'string' ? { startsAt: e.extensions.startsAt } : {};
}

/** Whether the request never got a GraphQL answer (offline, server down, proxy error). */
export function isNetworkError(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const c = err as CombinedErrorLike;
  return !!c.networkError && !(c.graphQLErrors && c.graphQLErrors.length);
}

/**
 * Server messages that need their own words, by code and field, recognised by a
 * pattern. Captured groups become values {1}, {2}… for the message.
 */
const PATTERNS: { code: string; field?: string; re: RegExp; key: string }[] = [
  { code: 'CONFLICT', field: 'number', re: /may start this meeting from/i, key: 'join.hostTooEarly' },
  { code: 'CONFLICT', field: 'number', re: /not started yet/i, key: 'join.notStarted' },
  { code: 'CONFLICT', field: 'number', re: /has ended/i, key: 'join.ended' },
  { code: 'CONFLICT', field: 'number', re: /is full \((\d+)/i, key: 'join.full' },
  { code: 'CONFLICT', field: 'number', re: /not on now/i, key: 'join.notNow' },
  { code: 'CONFLICT', field: 'number', re: /already in use/i, key: 'conflict.number' },
  { code: 'CONFLICT', re: /meeting is locked/i, key: 'join.locked' },
  { code: 'CONFLICT', re: /the meeting has ended/i, key: 'join.ended' },
  { code: 'CONFLICT', field: 'id', re: /was ended; relaunch/i, key: 'meeting.endedRelaunch' },
  { code: 'CONFLICT', field: 'id', re: /may start this meeting from/i, key: 'meeting.hostTooEarly' },
  { code: 'CONFLICT', field: 'id', re: /no occurrence now/i, key: 'meeting.notNow' },
  { code: 'CONFLICT', field: 'id', re: /was cancelled/i, key: 'meeting.cancelled' },
  { code: 'CONFLICT', field: 'id', re: /changed meanwhile/i, key: 'meeting.changed' },
  { code: 'CONFLICT', field: 'id', re: /is booked in this room/i, key: 'room.hasBookings' },
  { code: 'CONFLICT', re: /schedule is busy/i, key: 'busy' },
  { code: 'CONFLICT', field: 'participants', re: /no meeting room you may use holds (\d+)/i, key: 'conflict.noRoom' },
  { code: 'CONFLICT', field: 'participants', re: /room (\S+) \((.*)\) holds (\d+) participants, not (\d+)/i, key: 'conflict.roomTooSmall' },
  { code: 'CONFLICT', field: 'participants', re: /enterprise's quota of (\d+) participants: (\d+) participants do not fit/i, key: 'conflict.quotaDoNotFit' },
  { code: 'CONFLICT', field: 'participants', re: /platform's capacity of (\d+) participants: (\d+) participants do not fit/i, key: 'conflict.platformDoNotFit' },
  { code: 'CONFLICT', field: 'participants', re: /(\d+) participants do not fit/i, key: 'conflict.doNotFit' },
  { code: 'CONFLICT', field: 'capacity', re: /(\d+) participants are booked/i, key: 'room.shrink' },
  { code: 'CONFLICT', field: 'email', re: /./, key: 'conflict.email' },
  { code: 'CONFLICT', field: 'phone', re: /./, key: 'conflict.phone' },
  { code: 'CONFLICT', field: 'employeeNo', re: /./, key: 'conflict.employeeNo' },
  { code: 'CONFLICT', field: 'name', re: /group named/i, key: 'conflict.groupName' },
  { code: 'CONFLICT', field: 'code', re: /./, key: 'conflict.enterpriseCode' },
  { code: 'CONFLICT', field: 'domains', re: /domain (\S+)/i, key: 'conflict.domain' },
  { code: 'CONFLICT', field: 'file', re: /directory changed/i, key: 'import.changed' },
  { code: 'CONFLICT', field: 'role', re: /./, key: 'live.hostRole' },
  { code: 'CONFLICT', field: 'screen', re: /./, key: 'live.screenBusy' },
  { code: 'BAD_USER_INPUT', field: 'email', re: /email address or a phone number is required/i, key: 'input.emailOrPhone' },
  { code: 'BAD_USER_INPUT', field: 'currentPassword', re: /./, key: 'input.currentPassword' },
  { code: 'BAD_USER_INPUT', field: 'newPassword', re: /must differ/i, key: 'input.samePassword' },
  { code: 'BAD_USER_INPUT', field: 'password', re: /common/i, key: 'input.passwordCommon' },
  { code: 'BAD_USER_INPUT', field: 'password', re: /pattern/i, key: 'input.passwordPattern' },
  { code: 'BAD_USER_INPUT', field: 'password', re: /must not be your/i, key: 'input.passwordPersonal' },
  { code: 'BAD_USER_INPUT', field: 'password', re: /at least/i, key: 'input.passwordShort' },
  { code: 'FORBIDDEN', re: /change it before you continue/i, key: 'input.passwordChangeRequired' },
  { code: 'BAD_USER_INPUT', field: 'id', re: /delete your own/i, key: 'input.deleteSelf' },
  { code: 'BAD_USER_INPUT', field: 'id', re: /freeze your own/i, key: 'input.freezeSelf' },
  { code: 'BAD_USER_INPUT', field: 'role', re: /own administrator role/i, key: 'input.demoteSelf' },
  { code: 'BAD_USER_INPUT', field: 'start', re: /not one of the chosen weekdays/i, key: 'input.startNotWeekday' },
  { code: 'BAD_USER_INPUT', field: 'start', re: /does not match|not the .* of the month|not on day/i, key: 'input.startNotOccurrence' },
  { code: 'BAD_USER_INPUT', field: 'start', re: /over before it is booked/i, key: 'input.startPast' },
  { code: 'BAD_USER_INPUT', field: 'file', re: /logo must be a PNG/i, key: 'input.logoType' },
  { code: 'BAD_USER_INPUT', field: 'file', re: /pixels/i, key: 'input.logoSize' },
  { code: 'BAD_USER_INPUT', field: 'file', re: /logo must be at most (\d+) KiB/i, key: 'input.logoTooBig' },
  { code: 'BAD_USER_INPUT', field: 'file', re: /readable image/i, key: 'input.logoUnreadable' },
  { code: 'BAD_USER_INPUT', field: 'key', re: /first occurrence/i, key: 'input.splitAtFirst' },
  { code: 'BAD_USER_INPUT', field: 'occurrence', re: /single meeting/i, key: 'input.singleNoOccurrence' },
  { code: 'BAD_USER_INPUT', field: 'presenterId', re: /./, key: 'input.presenter' },
  { code: 'BAD_USER_INPUT', field: 'ownerId', re: /./, key: 'input.owner' },
];

/** Which limit a booking conflict hit, from the server's message. */
export function conflictWhat(message: string): 'dedicated' | 'room' | 'quota' | 'platform' | 'other' {
  if (/dedicated room/i.test(message)) return 'dedicated';
  if (/enterprise's quota/i.test(message)) return 'quota';
  if (/platform's capacity/i.test(message)) return 'platform';
  if (/^room .* holds/i.test(message)) return 'room';
  return 'other';
}

/** The i18n key and values for one error, most specific first. */
export function keyFor(e: ApiError, formatTime: TimeFormat = (s) => s): { key: string; values: Record<string, unknown> } {
  const values: Record<string, unknown> = { message: e.message, field: e.field ?? '' };
  // Booking conflicts name the clashing occurrence.
  if (e.code === 'CONFLICT' && typeof e.extensions.conflictStart === 'string') {
    values.start = formatTime(e.extensions.conflictStart);
    values.end = typeof e.extensions.conflictEnd === 'string' ? formatTime(e.extensions.conflictEnd) : '';
    values.what = conflictWhat(e.message);
    const m = /(?:holds|of) (\d+) participants, (\d+) are already booked/i.exec(e.message);
    if (m) {
      values.limit = Number(m[1]);
      values.booked = Number(m[2]);
    }
    if (typeof e.extensions.conflictMeetingName === 'string') {
      values.name = e.extensions.conflictMeetingName;
      return { key: 'errors.conflict.withMeeting', values };
    }
    return { key: 'errors.conflict.withOther', values };
  }
  if (e.code === 'RATE_LIMITED') {
    const s = Number(e.extensions.retryAfterSeconds);
    if (s > 0) return { key: 'errors.RATE_LIMITED_after', values: { ...values, seconds: Math.ceil(s) } };
  }
  // A meeting not started yet says when it is booked, and from when its host may start it.
  if (typeof e.extensions.startsAt === 'string') values.startsAt = formatTime(e.extensions.startsAt);
  if (typeof e.extensions.startableFrom === 'string') values.from = formatTime(e.extensions.startableFrom);
  for (const p of PATTERNS) {
    if (p.code !== e.code) continue;
    if (p.field !== undefined && p.field !== e.field) continue;
    const m = p.re.exec(e.message);
    if (!m) continue;
    m.slice(1).forEach((g, i) => (values[String(i + 1)] = g));
    if (p.key === 'join.notStarted' && values.startsAt) return { key: 'errors.join.notStartedAt', values };
    return { key: `errors.${p.key}`, values };
  }
  if (e.code === 'BAD_USER_INPUT') {
    if (e.reason) return { key: 'errors.BAD_REQUEST', values };
    if (e.field) return { key: 'errors.invalidField', values: { ...values, fieldKey: e.field } };
  }
  return { key: `errors.${KNOWN.has(e.code) ? e.code : 'INTERNAL'}`, values };
}

const KNOWN = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'BAD_USER_INPUT', 'CONFLICT', 'RATE_LIMITED', 'INTERNAL']);

/** Options for describe(). */
export interface DescribeOptions {
  /** Overrides by code for this context, e.g. NOT_FOUND → 'errors.join.notFound'. */
  byCode?: Partial<Record<string, string>>;
  formatTime?: TimeFormat;
  /** Add the server's own (English) message when no specific translation exists. */
  showServerMessage?: boolean;
}

/** A message in the user's language for err (an urql CombinedError or anything thrown). */
export function describe(err: unknown, t: Translate, opts: DescribeOptions = {}): string {
  if (isNetworkError(err)) return t('errors.NETWORK');
  const list = apiErrors(err);
  if (!list.length) return t('errors.INTERNAL');
  const seen = new Set<string>();
  const out: string[] = [];
  for (const e of list) {
    let msg: string;
    const override = opts.byCode?.[e.code];
    if (override) msg = t(override, { message: e.message });
    else {
      const { key, values } = keyFor(e, opts.formatTime);
      if (key === 'errors.invalidField') {
        const fieldKey = `fields.${String(values.fieldKey)}`;
        const label = t(fieldKey);
        values.field = label === fieldKey ? String(values.fieldKey) : label;
      }
      if (key === 'errors.conflict.withMeeting' || key === 'errors.conflict.withOther') {
        values.reason = t(`errors.conflict.what.${String(values.what)}`, values);
      }
      msg = t(key, values);
      // A host's early start refused: the booked time itself is free.
      if (e.code === 'CONFLICT' && /before the booked time/i.test(e.message)) msg = t('errors.conflict.earlyStart', { detail: msg });
      if (opts.showServerMessage && (key === 'errors.invalidField' || key === `errors.${e.code}`) && e.message && e.code !== 'INTERNAL')
        msg = `${msg}（${e.message}）`;
    }
    if (!seen.has(msg)) {
      seen.add(msg);
      out.push(msg);
    }
  }
  return out.join('；');
}
