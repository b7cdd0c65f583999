import { CalendarOutlined, LeftOutlined, PlusOutlined, RightOutlined, ThunderboltOutlined, VideoCameraOutlined } from '@ant-design/icons';
import { Badge, Button, Card, DatePicker, Empty, Grid, List, Segmented, Space, Tag, Tooltip, Typography, theme } from 'antd';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { useQuery } from 'urql';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageHead } from '../../components/PageHead';
import { graphql } from '../../gql';
import type { MyMeetingsQuery } from '../../gql/graphql';
import { bucket, groupByDay, type Day } from '../../lib/calendar';
import { dayjs, fmtDay, fmtTime, type Dayjs } from '../../lib/time';
import './schedule.css';
import { listsOf } from '../../api/typenames';

const MyMeetingsDocument = graphql(`
  query MyMeetings($from: Time!, $to: Time!) {
    myMeetings(from: $from, to: $to) {
      meeting {
        id
        number
        name
        hostName
        instant
        recurrence {
          rrule
        }
        room {
          name
        }
        runInProgress {
          id
        }
      }
      occurrence {
        key
        start
        end
        moved
      }
    }
  }
`);

type Item = MyMeetingsQuery['myMeetings'][number] & { id: string; start: number; end: number };
type View = 'week' | 'day' | 'list';
const HOUR = 48; // px per hour in the grid

/** The days of the view around anchor, in the browser's zone. */
export function daysOf(view: View, anchor: Dayjs): Day[] {
  const first = view === 'day' ? anchor.startOf('day') : anchor.startOf('isoWeek');
  const n = view === 'day' ? 1 : view === 'week' ? 7 : 28;
  return Array.from({ length: n }, (_, i) => {
    const d = first.add(i, 'day');
    return { key: d.format('YYYY-MM-DD'), start: d.valueOf(), end: d.add(1, 'day').valueOf() };
  });
}

/** My meetings as a week or day calendar, or a list of the next four weeks. */
export default function SchedulePage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const screens = Grid.useBreakpoint();
  const [params, setParams] = useSearchParams();
  const view = (params.get('view') as View | null) ?? (screens.md === false ? 'list' : 'week');
  const anchor = params.get('date') && dayjs(params.get('date')).isValid() ? dayjs(params.get('date')) : dayjs();
  const days = useMemo(() => daysOf(view, anchor), [view, anchor.format('YYYY-MM-DD')]); // eslint-disable-line react-hooks/exhaustive-deps
  const from = dayjs(days[0].start);
  const to = dayjs(days[days.length - 1].end);
  const [res, refetch] = useQuery({ query: MyMeetingsDocument, variables: { from: from.toISOString(), to: to.toISOString() }, requestPolicy: 'cache-and-network', context: listsOf.meetings });

  // Refresh while the page is open: meetings start, others book.
  useEffect(() => {
    const timer = setInterval(() => refetch({ requestPolicy: 'network-only' }), 60_000);
    return () => clearInterval(timer);
  }, [refetch]);

  const items: Item[] = useMemo(
    () =>
      (res.data?.myMeetings ?? []).map((s) => ({
        ...s,
        id: `${s.meeting.id}@${s.occurrence.key}`,
        start: Date.parse(s.occurrence.start),
        end: Date.parse(s.occurrence.end),
      })),
    [res.data],
  );

  const set = (patch: Record<string, string>) => setParams({ view, date: anchor.format('YYYY-MM-DD'), ...patch }, { replace: true });
  const step = view === 'day' ? 'day' : view === 'week' ? 'week' : 'week';
  const span = view === 'list' ? 4 : 1;
  const open = (i: Item) => navigate(`/meetings/${i.meeting.id}?occurrence=${encodeURIComponent(i.occurrence.key)}`);

  const title =
    view === 'day'
      ? fmtDay(anchor)
      : `${from.format(t('schedule.rangeFormat'))} – ${to.subtract(1, 'day').format(t('schedule.rangeFormat'))}`;

  return (
    <>
      <PageHead
        title={t('schedule.title')}
        extra={
          <>
            <Button icon={<ThunderboltOutlined aria-hidden />} onClick={() => navigate('/instant')}>
              {t('menu.instant')}
            </Button>
            <Button type="primary" icon={<PlusOutlined aria-hidden />} onClick={() => navigate('/book')}>
              {t('menu.book')}
            </Button>
          </>
        }
      />
      <Card>
        <div className="schedule-toolbar">
          <Space wrap>
            <Button onClick={() => set({ date: dayjs().format('YYYY-MM-DD') })}>{t('schedule.today')}</Button>
            <Space.Compact>
              <Button icon={<LeftOutlined aria-hidden />} aria-label={t('schedule.prev')} onClick={() => set({ date: anchor.subtract(span, step).format('YYYY-MM-DD') })} />
              <Button icon={<RightOutlined aria-hidden />} aria-label={t('schedule.next')} onClick={() => set({ date: anchor.add(span, step).format('YYYY-MM-DD') })} />
            </Space.Compact>
            <Typography.Text strong style={{ fontSize: 16 }}>
              {title}
            </Typography.Text>
            <DatePicker
              aria-label={t('schedule.pickDate')}
              value={anchor}
              allowClear={false}
              onChange={(d) => d && set({ date: d.format('YYYY-MM-DD') })}
              suffixIcon={<CalendarOutlined aria-hidden />}
              style={{ width: 140 }}
            />
          </Space>
          <Segmented
            value={view}
            onChange={(x) => set({ view: String(x) })}
            options={[
              { value: 'day', label: t('schedule.day') },
              { value: 'week', label: t('schedule.week') },
              { value: 'list', label: t('schedule.list') },
            ]}
          />
        </div>
        <ErrorAlert error={res.error} retry={() => refetch({ requestPolicy: 'network-only' })} style={{ marginBottom: 12 }} />
        {view === 'list' ? (
          <ListView items={items} days={days} loading={res.fetching && !res.data} onOpen={open} />
        ) : (
          <GridView items={items} days={days} loading={res.fetching && !res.data} onOpen={open} onSlot={(start) => navigate(`/book?start=${encodeURIComponent(start.toISOString())}`)} />
        )}
      </Card>
    </>
  );
}

function EventCard({ i, onOpen, compact }: { i: Item; onOpen: (i: Item) => void; compact?: boolean }) {
  const { t } = useTranslation();
  const running = !!i.meeting.runInProgress;
  return (
    <div
      role="button"
      tabIndex={0}
      className={`sched-event${running ? ' sched-running' : ''}`}
      onClick={(e) => {
        e.stopPropagation();
        onOpen(i);
      }}
      onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && onOpen(i)}
      aria-label={t('schedule.eventLabel', { name: i.meeting.name, start: fmtTime(dayjs(i.start)), end: fmtTime(dayjs(i.end)) })}
    >
      <div className="sched-event-name">
        {running && <Badge status="processing" />} {i.meeting.name}
      </div>
      {!compact && (
        <div className="sched-event-time">
          {fmtTime(dayjs(i.start))}–{fmtTime(dayjs(i.end))}
          {i.meeting.recurrence ? ' · ↻' : ''}
        </div>
      )}
    </div>
  );
}

function GridView({ items, days, loading, onOpen, onSlot }: { items: Item[]; days: Day[]; loading: boolean; onOpen: (i: Item) => void; onSlot: (start: Dayjs) => void }) {
  const { t } = useTranslation();
  const { token } = theme.useToken();
  const placed = useMemo(() => bucket(items, days, 24), [items, days]);
  const scroller = useRef<HTMLDivElement>(null);
  const [now, setNow] = useState(dayjs());
  useEffect(() => {
    scroller.current?.scrollTo({ top: HOUR * 7.5 });
    const timer = setInterval(() => setNow(dayjs()), 60_000);
    return () => clearInterval(timer);
  }, []);
  return (
    <div className="sched-grid" style={{ borderColor: token.colorSplit }} aria-busy={loading}>
      <div className="sched-head" style={{ gridTemplateColumns: `56px repeat(${days.length}, 1fr)`, borderColor: token.colorSplit }}>
        <div />
        {days.map((d) => {
          const day = dayjs(d.start);
          const today = day.isSame(now, 'day');
          return (
            <div key={d.key} className="sched-dayhead" style={{ color: today ? token.colorPrimary : undefined }}>
              <span className="sched-dow">{day.format('ddd')}</span>
              <span className={`sched-date${today ? ' sched-today' : ''}`} style={today ? { background: token.colorPrimary } : undefined}>
                {day.date()}
              </span>
            </div>
          );
        })}
      </div>
      <div className="sched-body" ref={scroller}>
        <div className="sched-cols" style={{ gridTemplateColumns: `56px repeat(${days.length}, 1fr)`, height: HOUR * 24 }}>
          <div className="sched-hours">
            {Array.from({ length: 24 }, (_, h) => (
              <div key={h} style={{ height: HOUR }} className="sched-hour-label">
                {h > 0 ? `${String(h).padStart(2, '0')}:00` : ''}
              </div>
            ))}
          </div>
          {days.map((d) => {
            const day = dayjs(d.start);
            const isToday = day.isSame(now, 'day');
            return (
              <div
                key={d.key}
                className="sched-col"
                style={{ borderColor: token.colorSplit, backgroundSize: `100% ${HOUR}px`, backgroundImage: `linear-gradient(${token.colorSplit} 1px, transparent 1px)` }}
                onClick={(e) => {
                  const rect = e.currentTarget.getBoundingClientRect();
                  const minutes = Math.floor(((e.clientY - rect.top) / HOUR) * 2) * 30;
                  const start = day.add(minutes, 'minute');
                  if (start.isAfter(dayjs().subtract(30, 'minute'))) onSlot(start);
                }}
                title={t('schedule.clickToBook')}
              >
                {isToday && <div className="sched-now" style={{ top: (now.diff(day, 'minute') / 60) * HOUR, background: token.colorError }} />}
                {(placed.get(d.key) ?? []).map((p) => (
                  <div
                    key={p.item.id}
                    className="sched-slot"
                    style={{
                      top: (p.top / 60) * HOUR,
                      height: (p.height / 60) * HOUR - 2,
                      left: `calc(${(p.lane / p.lanes) * 100}% + 2px)`,
                      width: `calc(${100 / p.lanes}% - 4px)`,
                      ['--ev' as string]: token.colorPrimary,
                      ['--ev-bg' as string]: token.colorPrimaryBg,
                    }}
                  >
                    <Tooltip title={`${p.item.meeting.name} · ${fmtTime(dayjs(p.item.start))}–${fmtTime(dayjs(p.item.end))} · ${p.item.meeting.number}`}>
                      <div style={{ height: '100%' }}>
                        <EventCard i={p.item} onOpen={onOpen} compact={p.height < 40} />
                      </div>
                    </Tooltip>
                  </div>
                ))}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

function ListView({ items, days, loading, onOpen }: { items: Item[]; days: Day[]; loading: boolean; onOpen: (i: Item) => void }) {
  const { t } = useTranslation();
  const groups = groupByDay(items, days);
  if (!loading && groups.length === 0) return <Empty description={t('schedule.empty')} style={{ padding: 48 }} />;
  return (
    <div aria-busy={loading}>
      {groups.map((g) => (
        <div key={g.day.key} style={{ marginBottom: 16 }}>
          <Typography.Title level={5} style={{ marginBottom: 8 }}>
            {fmtDay(dayjs(g.day.start))}
            {dayjs(g.day.start).isSame(dayjs(), 'day') && <Tag color="blue" style={{ marginInlineStart: 8 }}>{t('schedule.today')}</Tag>}
          </Typography.Title>
          <List
            bordered
            dataSource={g.items}
            renderItem={(i) => (
              <List.Item
                onClick={() => onOpen(i)}
                style={{ cursor: 'pointer' }}
                actions={[
                  i.meeting.runInProgress ? (
                    <Tag key="running" color="green" icon={<VideoCameraOutlined aria-hidden />}>
                      {t('meeting.inProgressNow')}
                    </Tag>
                  ) : null,
                ]}
              >
                <List.Item.Meta
                  title={
                    <a
                      href={`/meetings/${i.meeting.id}`}
                      onClick={(e) => {
                        e.preventDefault();
                        onOpen(i);
                      }}
                    >
                      {i.meeting.name}
                    </a>
                  }
                  description={
                    <Space wrap size={4}>
                      <span>
                        {fmtTime(dayjs(i.start))}–{fmtTime(dayjs(i.end))}
                      </span>
                      <Tag>{i.meeting.number}</Tag>
                      {i.meeting.recurrence && <Tag color="purple">{t('meeting.recurring')}</Tag>}
                      {i.occurrence.moved && <Tag color="orange">{t('meeting.moved')}</Tag>}
                      <span>{t('meeting.hostIs', { name: i.meeting.hostName })}</span>
                    </Space>
                  }
                />
              </List.Item>
            )}
          />
        </div>
      ))}
    </div>
  );
}
