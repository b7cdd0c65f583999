// A recurrence rule in words, in the user's language.
import type { RecurrenceState } from './recurrence';

/** Human text for a rule, e.g. 每 2 周的周一、周三，共 10 次. */
export function describeRecurrence(s: RecurrenceState, t: (k: string, v?: Record<string, unknown>) => string): string {
  if (s.kind === 'NONE') return t('recurrence.none');
  const unit = t(`recurrence.unit.${s.kind}`, { count: s.interval });
  let what = s.interval > 1 ? t('recurrence.everyN', { n: s.interval, unit }) : t(`recurrence.every.${s.kind}`);
  if (s.kind === 'WEEKLY') what += t('recurrence.on', { days: s.weekdays.map((w) => t(`weekdays.${w}`)).join(t('recurrence.listSep')) });
  if (s.kind === 'MONTHLY')
    what +=
      s.monthlyMode === 'DAY'
        ? s.monthDay === -1
          ? t('recurrence.onLastDay')
          : t('recurrence.onDay', { day: s.monthDay })
        : t('recurrence.onNth', { nth: t(`recurrence.ordinal.${s.ordinal}`), day: t(`weekdays.${s.weekday}`) });
  const end = s.end === 'COUNT' ? t('recurrence.countEnd', { count: s.count }) : t('recurrence.untilEnd', { date: s.until });
  return `${what}${t('recurrence.sep')}${end}`;
}

