import { Progress, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { USAGE_COLORS, usageColor } from '../lib/usage';

/** Booked against capacity (0 = unlimited), with what this booking would add. */
export function UsageBar({ label, capacity, booked, adding = 0 }: { label: string; capacity: number; booked: number; adding?: number }) {
  const { t } = useTranslation();
  if (capacity === 0)
    return (
      <div>
        <Space style={{ width: '100%', justifyContent: 'space-between' }}>
          <Typography.Text>{label}</Typography.Text>
          <Typography.Text type="secondary">{t('resources.bookedUnlimited', { booked })}</Typography.Text>
        </Space>
      </div>
    );
  const after = booked + adding;
  const over = after > capacity;
  const pct = Math.min(100, Math.round((booked / capacity) * 100));
  const pctAfter = Math.min(100, Math.round((after / capacity) * 100));
  return (
    <div>
      <Space style={{ width: '100%', justifyContent: 'space-between' }} wrap>
        <Typography.Text>{label}</Typography.Text>
        <Typography.Text type={over ? 'danger' : 'secondary'}>
          {adding > 0 ? t('resources.bookedWith', { booked, adding, capacity }) : t('resources.bookedOf', { booked, capacity })}
        </Typography.Text>
      </Space>
      {/* The booked part in the colour of how full it is (a full bar is red, never
          green); what this booking adds after it, lighter, or red when it does not fit. */}
      <Progress
        percent={adding > 0 ? pctAfter : pct}
        success={adding > 0 ? { percent: pct, strokeColor: usageColor(booked, capacity) } : undefined}
        strokeColor={adding > 0 ? (over ? USAGE_COLORS.full : USAGE_COLORS.adding) : usageColor(booked, capacity)}
        showInfo={false}
        aria-label={label}
        size="small"
      />
    </div>
  );
}
