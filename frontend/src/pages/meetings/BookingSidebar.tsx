// What the booking form shows beside itself: the resource status for the chosen
// time (enterprise quota, platform capacity, rooms) and my own meetings then.
import { WarningOutlined } from '@ant-design/icons';
import { Alert, Card, Empty, List, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useQuery } from 'urql';
import { ErrorAlert } from '../../components/ErrorAlert';
import { UsageBar } from '../../components/UsageBar';
import { graphql } from '../../gql';
import { dayjs, fmtDateTime, fmtSpan, type Dayjs } from '../../lib/time';
import { listsOf } from '../../api/typenames';

const BookingStatusDocument = graphql(`
  query BookingStatus($from: Time!, $to: Time!) {
    resourceStatus(from: $from, to: $to) {
      enterprise {
        capacity
        booked
        free
      }
      platform {
        capacity
        booked
        free
      }
      rooms {
        room {
          id
          number
          name
          capacity
          scope
        }
        usage {
          capacity
          booked
          free
        }
      }
    }
    myMeetings(from: $from, to: $to) {
      meeting {
        id
        name
        number
        cancelled
      }
      occurrence {
        key
        start
        end
      }
    }
  }
`);

// The bookings in the rooms for the window, read only when the chosen room is a
// dedicated one: it is its owner's alone, so any booking there clashes, and the
// form says so before it is sent, naming the meeting as the server would.
const DedicatedClashDocument = graphql(`
  query DedicatedClash($from: Time!, $to: Time!) {
    resourceStatus(from: $from, to: $to) {
      rooms {
        room {
          id
        }
        bookings {
          meeting {
            id
            name
            cancelled
          }
          occurrence {
            key
            start
            end
          }
        }
      }
    }
  }
`);

export interface SidebarProps {
  start: Dayjs | null;
  minutes: number;
  participants: number;
  roomId: string | null;
  /** The meeting being edited: its own bookings are not a clash. */
  editingId?: string;
  recurring: boolean;
}

/** Resource status and my meetings for [start, start + minutes). */
export function BookingSidebar({ start, minutes, participants, roomId, editingId, recurring }: SidebarProps) {
  const { t } = useTranslation();
  const from = start?.second(0).millisecond(0);
  const to = from?.add(Math.max(1, minutes || 60), 'minute');
  const [res, refetch] = useQuery({
    query: BookingStatusDocument,
    variables: { from: from?.toISOString() ?? '', to: to?.toISOString() ?? '' },
    pause: !from,
    requestPolicy: 'cache-and-network',
    context: listsOf.meetings,
  });
  const st = res.data?.resourceStatus;
  const room = st?.rooms.find((r) => r.room.id === roomId);
  const dedicated = room?.room.scope === 'DEDICATED';
  const [clashes] = useQuery({
    query: DedicatedClashDocument,
    variables: { from: from?.toISOString() ?? '', to: to?.toISOString() ?? '' },
    pause: !from || !dedicated,
    requestPolicy: 'cache-and-network',
    context: listsOf.meetings,
  });
  if (!from || !to) return <Card title={t('booking.statusTitle')}><Empty description={t('booking.pickTime')} /></Card>;
  // My meetings at that time, other than this one, that the server still holds and
  // that are not over (one ended early clashes with nothing after its end).
  const mine = (res.data?.myMeetings ?? []).filter((s) => s.meeting.id !== editingId && !s.meeting.cancelled && dayjs(s.occurrence.end).isAfter(dayjs()));
  const adding = editingId ? 0 : participants;
  const clash = dedicated
    ? clashes.data?.resourceStatus.rooms
        .find((r) => r.room.id === roomId)
        ?.bookings.find((b) => b.meeting.id !== editingId && !b.meeting.cancelled && dayjs(b.occurrence.end).isAfter(dayjs()))
    : undefined;
  const fitsSomewhere = st?.rooms.some((r) => r.usage.capacity === 0 || r.usage.booked + participants <= r.usage.capacity);
  const problems: string[] = [];
  if (st && !editingId) {
    if (st.enterprise.capacity > 0 && st.enterprise.booked + participants > st.enterprise.capacity)
      problems.push(t('booking.overQuota', { free: st.enterprise.free, n: participants }));
    if (st.platform.capacity > 0 && st.platform.booked + participants > st.platform.capacity)
      problems.push(t('booking.overPlatform', { free: st.platform.free, n: participants }));
    if (room && room.usage.capacity > 0 && room.usage.booked + participants > room.usage.capacity)
      problems.push(t('booking.overRoom', { name: room.room.name, free: room.usage.free, n: participants }));
    if (!roomId && fitsSomewhere === false) problems.push(t('booking.noRoomFits', { n: participants }));
  }
  if (clash)
    problems.push(
      t('errors.conflict.withMeeting', {
        reason: t('errors.conflict.what.dedicated'),
        name: clash.meeting.name,
        start: fmtDateTime(clash.occurrence.start),
        end: fmtDateTime(clash.occurrence.end),
      }),
    );

  return (
    <Space direction="vertical" style={{ width: '100%' }} size={16}>
      <Card
        title={t('booking.statusTitle')}
        size="small"
        extra={<Typography.Text type="secondary" style={{ fontSize: 12 }}>{fmtSpan(from, to)}</Typography.Text>}
        loading={res.fetching && !res.data}
      >
        <ErrorAlert error={res.error} retry={() => refetch({ requestPolicy: 'network-only' })} />
        {st && (
          <Space direction="vertical" style={{ width: '100%' }} size={12} aria-live="polite">
            {problems.length > 0 && <Alert type="error" showIcon role="alert" message={problems.join('；')} />}
            <UsageBar label={t('resources.enterpriseQuota')} capacity={st.enterprise.capacity} booked={st.enterprise.booked} adding={adding} />
            <UsageBar label={t('resources.platform')} capacity={st.platform.capacity} booked={st.platform.booked} adding={adding} />
            <Typography.Text strong>{t('resources.rooms')}</Typography.Text>
            {st.rooms.length === 0 && <Typography.Text type="secondary">{t('resources.noRooms')}</Typography.Text>}
            {st.rooms.map((r) => (
              <UsageBar
                key={r.room.id}
                label={`${r.room.name}（${r.room.number}）${r.room.id === roomId ? ' ✓' : ''}`}
                capacity={r.usage.capacity}
                booked={r.usage.booked}
                adding={r.room.id === roomId ? adding : 0}
              />
            ))}
            {recurring && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('booking.firstOnly')}</Typography.Text>}
          </Space>
        )}
      </Card>
      <Card title={t('booking.mineTitle')} size="small" loading={res.fetching && !res.data}>
        {mine.length === 0 ? (
          <Typography.Text type="secondary">{t('booking.mineNone')}</Typography.Text>
        ) : (
          <>
            <Alert type="warning" showIcon icon={<WarningOutlined aria-hidden />} message={t('booking.mineClash', { count: mine.length })} style={{ marginBottom: 8 }} />
            <List
              size="small"
              dataSource={mine}
              renderItem={(s) => (
                <List.Item>
                  <Space direction="vertical" size={0}>
                    <Typography.Text strong>{s.meeting.name}</Typography.Text>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {fmtSpan(dayjs(s.occurrence.start), dayjs(s.occurrence.end))} <Tag>{s.meeting.number}</Tag>
                    </Typography.Text>
                  </Space>
                </List.Item>
              )}
            />
          </>
        )}
      </Card>
    </Space>
  );
}
