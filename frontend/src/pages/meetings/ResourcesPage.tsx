import { ApartmentOutlined, CloudServerOutlined, TeamOutlined, VideoCameraOutlined } from '@ant-design/icons';
import { Badge, Card, Col, DatePicker, Row, Segmented, Space, Statistic, Table, Tag, Tooltip, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useQuery, useSubscription } from 'urql';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageHead } from '../../components/PageHead';
import { UsageBar } from '../../components/UsageBar';
import { graphql } from '../../gql';
import type { ResourceStatusQuery } from '../../gql/graphql';
import { dayjs, fmtSpan, fmtTime, type Dayjs } from '../../lib/time';
import { listsOf } from '../../api/typenames';

// The fields the query and its live updates both select.
graphql(`
  fragment ResourceStatusFields on ResourceStatus {
    from
    to
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
    now {
      participants
      meetings
      roomsInUse
      platformParticipants
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
      bookings {
        meeting {
          id
          name
          number
        }
        occurrence {
          key
          start
          end
        }
      }
    }
  }
`);

const ResourceStatusDocument = graphql(`
  query ResourceStatus($from: Time!, $to: Time!) {
    resourceStatus(from: $from, to: $to) {
      ...ResourceStatusFields
    }
  }
`);

const ResourceStatusChangedDocument = graphql(`
  subscription ResourceStatusChanged($from: Time!, $to: Time!) {
    resourceStatusChanged(from: $from, to: $to) {
      ...ResourceStatusFields
    }
  }
`);

type Status = ResourceStatusQuery['resourceStatus'];
type Window = 'hour' | 'today' | 'week' | 'custom';

function windowOf(w: Window, custom: [Dayjs, Dayjs]): [Dayjs, Dayjs] {
  const now = dayjs().second(0).millisecond(0);
  switch (w) {
    case 'hour':
      return [now, now.add(1, 'hour')];
    case 'today':
      return [now.startOf('day'), now.endOf('day').add(1, 'millisecond')];
    case 'week':
      return [now.startOf('isoWeek'), now.startOf('isoWeek').add(7, 'day')];
    default:
      return custom;
  }
}

/** Live concurrency and room usage, pushed by the server; booked capacity for a window. */
export default function ResourcesPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [win, setWin] = useState<Window>('today');
  const [custom, setCustom] = useState<[Dayjs, Dayjs]>([dayjs().startOf('day'), dayjs().add(7, 'day').startOf('day')]);
  const [tick, setTick] = useState(0);
  // The window moves with the clock ("next hour"): recompute every minute.
  useEffect(() => {
    const timer = setInterval(() => setTick((x) => x + 1), 60_000);
    return () => clearInterval(timer);
  }, []);
  const [from, to] = useMemo(() => windowOf(win, custom), [win, custom, tick]); // eslint-disable-line react-hooks/exhaustive-deps
  const vars = { from: from.toISOString(), to: to.toISOString() };
  const [res, refetch] = useQuery({ query: ResourceStatusDocument, variables: vars, requestPolicy: 'cache-and-network', context: listsOf.meetings });
  const [sub] = useSubscription({ query: ResourceStatusChangedDocument, variables: vars });
  const [pushedAt, setPushedAt] = useState<Dayjs | null>(null);
  useEffect(() => {
    if (sub.data) setPushedAt(dayjs());
  }, [sub.data]);
  // A safety net when the socket is down.
  useEffect(() => {
    const timer = setInterval(() => refetch({ requestPolicy: 'network-only' }), 30_000);
    return () => clearInterval(timer);
  }, [refetch]);

  const st: Status | undefined = sub.data?.resourceStatusChanged ?? res.data?.resourceStatus;
  const live = !sub.error && !!(sub.data || !sub.fetching);

  return (
    <>
      <PageHead
        title={t('resources.title')}
        sub={
          <Space>
            <Badge status={sub.error ? 'error' : 'processing'} text={sub.error ? t('resources.liveOff') : t('resources.liveOn')} />
            {pushedAt && <span>{t('resources.pushedAt', { time: pushedAt.format('HH:mm:ss') })}</span>}
          </Space>
        }
      />
      <ErrorAlert error={res.error && !st ? res.error : null} retry={() => refetch({ requestPolicy: 'network-only' })} style={{ marginBottom: 16 }} />
      <Row gutter={[16, 16]}>
        {[
          { key: 'participants', icon: <TeamOutlined aria-hidden />, value: st?.now.participants, label: t('resources.nowParticipants') },
          { key: 'meetings', icon: <VideoCameraOutlined aria-hidden />, value: st?.now.meetings, label: t('resources.nowMeetings') },
          { key: 'rooms', icon: <ApartmentOutlined aria-hidden />, value: st?.now.roomsInUse, label: t('resources.nowRooms') },
          { key: 'platform', icon: <CloudServerOutlined aria-hidden />, value: st?.now.platformParticipants, label: t('resources.nowPlatform') },
        ].map((s) => (
          <Col xs={12} lg={6} key={s.key}>
            <Card loading={!st}>
              <Statistic title={s.label} value={s.value ?? 0} prefix={s.icon} />
            </Card>
          </Col>
        ))}
      </Row>
      <Card
        style={{ marginTop: 16 }}
        title={t('resources.booked')}
        extra={
          <Space wrap>
            <Segmented
              value={win}
              onChange={(x) => setWin(x as Window)}
              options={[
                { value: 'hour', label: t('resources.nextHour') },
                { value: 'today', label: t('resources.today') },
                { value: 'week', label: t('resources.thisWeek') },
                { value: 'custom', label: t('resources.custom') },
              ]}
            />
            {win === 'custom' && (
              <DatePicker.RangePicker
                showTime={{ format: 'HH:mm' }}
                format="MM-DD HH:mm"
                value={custom}
                allowClear={false}
                onChange={(r) => r?.[0] && r[1] && setCustom([r[0], r[1]])}
              />
            )}
          </Space>
        }
      >
        <Typography.Paragraph type="secondary">{t('resources.windowHelp', { span: fmtSpan(from, to) })}</Typography.Paragraph>
        {st && (
          <Row gutter={[24, 16]}>
            <Col xs={24} md={12}>
              <UsageBar label={t('resources.enterpriseQuota')} capacity={st.enterprise.capacity} booked={st.enterprise.booked} />
            </Col>
            <Col xs={24} md={12}>
              <UsageBar label={t('resources.platform')} capacity={st.platform.capacity} booked={st.platform.booked} />
            </Col>
          </Row>
        )}
        <Table
          style={{ marginTop: 16 }}
          rowKey={(r) => r.room.id}
          loading={!st && res.fetching}
          dataSource={st?.rooms ?? []}
          pagination={false}
          scroll={{ x: 720 }}
          locale={{ emptyText: t('resources.noRooms') }}
          columns={[
            {
              title: t('resources.room'),
              render: (_, r) => (
                <Space direction="vertical" size={0}>
                  <Typography.Text strong>{r.room.name}</Typography.Text>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {r.room.number} · {t(`rooms.scope.${r.room.scope}`)}
                  </Typography.Text>
                </Space>
              ),
            },
            {
              title: t('resources.usage'),
              width: 260,
              render: (_, r) => <UsageBar label="" capacity={r.usage.capacity} booked={r.usage.booked} />,
            },
            {
              title: t('resources.bookings'),
              render: (_, r) =>
                r.bookings.length === 0 ? (
                  <Typography.Text type="secondary">{t('resources.free')}</Typography.Text>
                ) : (
                  <Space wrap size={4}>
                    {r.bookings.map((b) => (
                      <Tooltip key={`${b.meeting.id}-${b.occurrence.key}`} title={`${b.meeting.name} · ${b.meeting.number}`}>
                        <Tag style={{ cursor: 'pointer' }} onClick={() => navigate(`/meetings/${b.meeting.id}?occurrence=${encodeURIComponent(b.occurrence.key)}`)}>
                          {fmtTime(b.occurrence.start)}–{fmtTime(b.occurrence.end)} {b.meeting.name}
                        </Tag>
                      </Tooltip>
                    ))}
                  </Space>
                ),
            },
          ]}
        />
        {!live && <Typography.Text type="secondary">{t('resources.polling')}</Typography.Text>}
      </Card>
    </>
  );
}
