// The recurrence editor: daily / weekly / monthly, interval, weekdays, monthly by
// date or weekday, and the validity period (until a date or a count). Pure logic
// lives in lib/recurrence.ts; this is the form around it.
import { Alert, Checkbox, DatePicker, InputNumber, Radio, Select, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Weekday } from '../../gql/schema';
import {
  expand,
  formatDate,
  MAX_INTERVAL,
  MAX_OCCURRENCES,
  validate,
  WEEKDAYS,
  type LocalDate,
  type RecurrenceState,
  type RepeatKind,
} from '../../lib/recurrence';
import { dayjs } from '../../lib/time';
import { describeRecurrence } from '../../lib/recurrenceText';

export { describeRecurrence };

export interface RecurrenceEditorProps {
  value?: RecurrenceState;
  onChange?: (v: RecurrenceState) => void;
  /** The first meeting's local date (in the meeting's zone). */
  start: LocalDate | null;
  id?: string;
}

export function RecurrenceEditor({ value, onChange, start, id }: RecurrenceEditorProps) {
  const { t } = useTranslation();
  if (!value) return null;
  const set = (patch: Partial<RecurrenceState>) => onChange?.({ ...value, ...patch });
  const problems = start ? validate(value, start) : [];
  const preview = start && problems.length === 0 && value.kind !== 'NONE' ? expand(value, start, 6) : [];
  const total = start && problems.length === 0 && value.kind !== 'NONE' ? expand(value, start, MAX_OCCURRENCES).length : 0;

  return (
    <Space direction="vertical" style={{ width: '100%' }} size={10} id={id}>
      <Radio.Group
        value={value.kind}
        onChange={(e) => set({ kind: e.target.value as RepeatKind })}
        optionType="button"
        aria-label={t('fields.recurrence')}
        options={(['NONE', 'DAILY', 'WEEKLY', 'MONTHLY'] as RepeatKind[]).map((k) => ({ value: k, label: t(`recurrence.kind.${k}`) }))}
      />
      {value.kind !== 'NONE' && (
        <>
          <Space wrap>
            <span>{t('recurrence.every.label')}</span>
            <InputNumber
              aria-label={t('fields.interval')}
              min={1}
              max={MAX_INTERVAL}
              value={value.interval}
              onChange={(n) => set({ interval: Number(n) || 1 })}
              style={{ width: 80 }}
            />
            <span>{t(`recurrence.unit.${value.kind}`, { count: value.interval })}</span>
          </Space>
          {value.kind === 'WEEKLY' && (
            <Checkbox.Group
              aria-label={t('fields.weekdays')}
              value={value.weekdays}
              onChange={(ws) => set({ weekdays: ws as Weekday[] })}
              options={WEEKDAYS.map((w) => ({ value: w, label: t(`weekdays.short.${w}`) }))}
            />
          )}
          {value.kind === 'MONTHLY' && (
            <Radio.Group value={value.monthlyMode} onChange={(e) => set({ monthlyMode: e.target.value })}>
              <Space direction="vertical">
                <Radio value="DAY">
                  <Space wrap>
                    {t('recurrence.byDate')}
                    <Select
                      aria-label={t('fields.monthDay')}
                      size="small"
                      style={{ width: 120 }}
                      value={value.monthDay}
                      onChange={(d) => set({ monthDay: d, monthlyMode: 'DAY' })}
                      options={[
                        ...Array.from({ length: 31 }, (_, i) => ({ value: i + 1, label: t('recurrence.dayN', { day: i + 1 }) })),
                        { value: -1, label: t('recurrence.lastDay') },
                      ]}
                    />
                  </Space>
                </Radio>
                <Radio value="WEEKDAY">
                  <Space wrap>
                    {t('recurrence.byWeekday')}
                    <Select
                      aria-label={t('fields.ordinal')}
                      size="small"
                      style={{ width: 110 }}
                      value={value.ordinal}
                      onChange={(o) => set({ ordinal: o, monthlyMode: 'WEEKDAY' })}
                      options={[1, 2, 3, 4, -1].map((o) => ({ value: o, label: t(`recurrence.ordinal.${o}`) }))}
                    />
                    <Select
                      aria-label={t('recurrence.weekdayOfMonth')}
                      size="small"
                      style={{ width: 110 }}
                      value={value.weekday}
                      onChange={(w) => set({ weekday: w, monthlyMode: 'WEEKDAY' })}
                      options={WEEKDAYS.map((w) => ({ value: w, label: t(`weekdays.${w}`) }))}
                    />
                  </Space>
                </Radio>
              </Space>
            </Radio.Group>
          )}
          <Radio.Group value={value.end} onChange={(e) => set({ end: e.target.value })} aria-label={t('recurrence.validity')}>
            <Space direction="vertical">
              <Radio value="UNTIL">
                <Space wrap>
                  {t('recurrence.until')}
                  <DatePicker
                    aria-label={t('fields.until')}
                    size="small"
                    allowClear={false}
                    value={value.until ? dayjs(value.until) : null}
                    onChange={(d) => d && set({ until: d.format('YYYY-MM-DD'), end: 'UNTIL' })}
                    disabledDate={(d) => !!start && d.isBefore(dayjs(formatDate(start)), 'day')}
                  />
                </Space>
              </Radio>
              <Radio value="COUNT">
                <Space wrap>
                  {t('recurrence.after')}
                  <InputNumber
                    aria-label={t('fields.count')}
                    size="small"
                    min={1}
                    max={MAX_OCCURRENCES}
                    value={value.count}
                    onChange={(n) => set({ count: Number(n) || 1, end: 'COUNT' })}
                    style={{ width: 90 }}
                  />
                  {t('recurrence.times')}
                </Space>
              </Radio>
            </Space>
          </Radio.Group>
          {problems.length > 0 ? (
            <Alert
              type="warning"
              showIcon
              role="alert"
              message={problems.map((p) => t(`recurrence.errors.${p.key}`, p.values)).join('；')}
            />
          ) : (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {describeRecurrence(value, t)}
              {value.end === 'UNTIL' && `${t('recurrence.sep')}${t('recurrence.total', { count: total })}`}
              {preview.length > 0 && (
                <>
                  <br />
                  {t('recurrence.next')}
                  {preview.map((d) => dayjs(formatDate(d)).format(t('recurrence.previewFormat'))).join(t('recurrence.listSep'))}
                  {total > preview.length ? '…' : ''}
                </>
              )}
            </Typography.Text>
          )}
        </>
      )}
    </Space>
  );
}
