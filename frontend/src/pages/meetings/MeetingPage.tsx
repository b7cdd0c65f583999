import {
  CalendarOutlined,
  CopyOutlined,
  DeleteOutlined,
  DownOutlined,
  EditOutlined,
  LoginOutlined,
  PoweroffOutlined,
  UserAddOutlined,
} from '@ant-design/icons';
import { Alert, App, Button, Card, Col, DatePicker, Descriptions, Dropdown, Form, List, Modal, Row, Select, Space, Table, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate, useParams, useSearchParams } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { useErrorText } from '../../api/useErrorText';
import { isEnterpriseAdmin, useMe } from '../../auth/session';
import { DirectoryPicker, emptyInvitees, type Invitees } from '../../components/DirectoryPicker';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { PageHead } from '../../components/PageHead';
import { graphql } from '../../gql';
import type { MeetingQuery } from '../../gql/graphql';
import { fromRecurrence } from '../../lib/recurrence';
import { dayjs, fmtDateTime, fmtDateTimeZoned, fmtDuration, fmtSpan, fmtSpanZoned, toLocalDate, type Dayjs } from '../../lib/time';
import { DURATIONS } from './bookingValues';
import { MeetingDocument } from './queries';
import { describeRecurrence } from './RecurrenceEditor';

const DeliveriesDocument = graphql(`
  query MeetingDeliveries($id: ID!) {
    meeting(id: $id) {
      id
      deliveries {
        email
        name
        method
        status
        attempts
        lastError
        updatedAt
      }
    }
  }
`);

const GroupNamesDocument = graphql(`
  query GroupNames {
    groups(first: 200) {
      edges {
        node {
          id
          name
          memberCount
        }
      }
    }
  }
`);

const CancelMeetingDocument = graphql(`
  mutation CancelMeeting($id: ID!) {
    cancelMeeting(id: $id)
  }
`);

const CancelOccurrenceDocument = graphql(`
  mutation CancelOccurrence($id: ID!, $occurrence: Time!) {
    cancelOccurrence(id: $id, occurrence: $occurrence) {
      id
    }
  }
`);

const MoveOccurrenceDocument = graphql(`
  mutation MoveOccurrence($id: ID!, $occurrence: Time!, $start: Time!, $durationMinutes: Int) {
    moveOccurrence(id: $id, occurrence: $occurrence, start: $start, durationMinutes: $durationMinutes) {
      id
    }
  }
`);

const InviteDocument = graphql(`
  mutation InviteToMeeting($id: ID!, $memberIds: [ID!], $groupIds: [ID!], $emails: [String!]) {
    inviteToMeeting(id: $id, memberIds: $memberIds, groupIds: $groupIds, emails: $emails) {
      id
      invitees {
        members {
          id
          name
          email
          department
        }
        groupIds
        emails
      }
    }
  }
`);

const EndMeetingDocument = graphql(`
  mutation EndMeeting($id: ID!) {
    endMeeting(id: $id) {
      id
      endedAt
    }
  }
`);

type Meeting = MeetingQuery['meeting'];
type Occ = Meeting['occurrences'][number];

/** One meeting: details, occurrences, invitees, and the host's actions. */
export default function MeetingPage() {
  const { id = '' } = useParams();
  const [params] = useSearchParams();
  const now = useMemo(() => dayjs(), []);
  const [res, refetch] = useQuery({
    query: MeetingDocument,
    variables: { id, from: now.subtract(1, 'day').toISOString(), to: now.add(364, 'day').toISOString() },
    requestPolicy: 'cache-and-network',
  });
  if (res.error && !res.data) return <ErrorAlert error={res.error} retry={() => refetch({ requestPolicy: 'network-only' })} />;
  if (!res.data) return <Loading />;
  return <MeetingView m={res.data.meeting} occurrenceKey={params.get('occurrence')} refetch={() => refetch({ requestPolicy: 'network-only' })} />;
}

function MeetingView({ m, occurrenceKey, refetch }: { m: Meeting; occurrenceKey: string | null; refetch: () => void }) {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const navigate = useNavigate();
  const location = useLocation();
  const { modal, message } = App.useApp();
  const errorText = useErrorText();
  const [, cancelMeeting] = useMutation(CancelMeetingDocument);
  const [, cancelOccurrence] = useMutation(CancelOccurrenceDocument);
  const [, endMeeting] = useMutation(EndMeetingDocument);
  const [groups] = useQuery({ query: GroupNamesDocument });
  const [inviting, setInviting] = useState(false);
  const [moving, setMoving] = useState<Occ | null>(null);
  const canControl = m.host?.id === me.id || isEnterpriseAdmin(me.role);
  const series = !!m.recurrence;
  const upcoming = m.occurrences.filter((o) => dayjs(o.end).isAfter(dayjs()));
  const occ = m.occurrences.find((o) => o.key === occurrenceKey) ?? upcoming[0] ?? m.occurrences[m.occurrences.length - 1] ?? null;
  const groupName = new Map((groups.data?.groups.edges ?? []).map((e) => [e.node.id, e.node]));
  const justBooked = (location.state as { justBooked?: boolean } | null)?.justBooked;

  if (m.cancelled)
    return (
      <>
        <PageHead title={m.name} />
        <Alert type="warning" showIcon message={t('meeting.cancelledBanner')} />
      </>
    );

  const invitation = t('meeting.invitationText', {
    host: m.hostName,
    name: m.name,
    // Sent to people who may be elsewhere: the time says its zone.
    time: occ ? fmtSpanZoned(occ.start, occ.end, i18n.language) : fmtDateTimeZoned(m.start, i18n.language),
    number: m.number,
    password: m.password || t('common.none'),
    url: m.joinUrl,
    sip: m.sipUri,
  });

  const copy = async (text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      message.success(t('common.copied'));
    } catch {
      message.info(text);
    }
  };

  const confirmCancel = (which: 'one' | 'all') =>
    modal.confirm({
      title: which === 'one' ? t('meeting.cancelOneConfirm', { time: occ ? fmtDateTime(occ.start) : '' }) : series ? t('meeting.cancelSeriesConfirm') : t('meeting.cancelConfirm'),
      content: t('meeting.cancelNotice'),
      okText: which === 'one' ? t('meeting.cancelOne') : series ? t('meeting.cancelSeries') : t('meeting.cancel'),
      okType: 'danger',
      cancelText: t('common.back'),
      onOk: async () => {
        const r =
          which === 'one' && occ
            ? await cancelOccurrence({ id: m.id, occurrence: occ.key }, { additionalTypenames: ['ScheduledMeeting', 'Meeting'] })
            : await cancelMeeting({ id: m.id }, { additionalTypenames: ['ScheduledMeeting', 'Meeting'] });
        if (r.error) {
          message.error(errorText(r.error));
          return;
        }
        message.success(t('meeting.cancelledOk'));
        if (which === 'all') navigate('/schedule', { replace: true });
        else refetch();
      },
    });

  const end = () =>
    modal.confirm({
      title: t('meeting.endConfirm'),
      okText: t('meeting.end'),
      okType: 'danger',
      cancelText: t('common.cancel'),
      onOk: async () => {
        const r = await endMeeting({ id: m.id });
        if (r.error) message.error(errorText(r.error));
        else {
          message.success(t('meeting.endedOk'));
          refetch();
        }
      },
    });

  const editItems = series
    ? [
        { key: 'move', icon: <CalendarOutlined aria-hidden />, label: t('meeting.moveOne'), disabled: !occ },
        // The series' first meeting cannot be split off: that is the whole series.
        { key: 'following', icon: <EditOutlined aria-hidden />, label: t('meeting.editFollowing'), disabled: !occ || dayjs(occ.key).isSame(dayjs(m.start)) },
        { key: 'all', icon: <EditOutlined aria-hidden />, label: t('meeting.editSeries') },
      ]
    : [];

  return (
    <>
      <PageHead
        title={
          <Space wrap>
            {m.name}
            {m.runInProgress && <Tag color="green">{t('meeting.inProgressNow')}</Tag>}
            {series && <Tag color="purple">{t('meeting.recurring')}</Tag>}
            {m.instant && <Tag color="orange">{t('meeting.instant')}</Tag>}
          </Space>
        }
        sub={t('meeting.hostIs', { name: m.hostName })}
        extra={
          <>
            <Button type="primary" icon={<LoginOutlined aria-hidden />} onClick={() => navigate(`/join/${m.number}`, { state: { password: m.password } })}>
              {m.runInProgress ? t('meeting.join') : canControl ? t('meeting.start') : t('meeting.join')}
            </Button>
            {canControl && (
              <>
                <Button icon={<UserAddOutlined aria-hidden />} onClick={() => setInviting(true)}>
                  {t('meeting.inviteMore')}
                </Button>
                {series ? (
                  <Dropdown
                    trigger={['click']}
                    menu={{
                      items: editItems,
                      onClick: ({ key }) =>
                        key === 'move'
                          ? setMoving(occ)
                          : key === 'following'
                            ? navigate(`/meetings/${m.id}/edit?scope=following&occurrence=${encodeURIComponent(occ!.key)}`)
                            : navigate(`/meetings/${m.id}/edit`),
                    }}
                  >
                    <Button icon={<EditOutlined aria-hidden />}>
                      {t('common.edit')} <DownOutlined aria-hidden />
                    </Button>
                  </Dropdown>
                ) : (
                  <Button icon={<EditOutlined aria-hidden />} onClick={() => navigate(`/meetings/${m.id}/edit`)}>
                    {t('common.edit')}
                  </Button>
                )}
                {m.runInProgress ? (
                  <Button danger icon={<PoweroffOutlined aria-hidden />} onClick={end}>
                    {t('meeting.end')}
                  </Button>
                ) : series ? (
                  <Dropdown
                    trigger={['click']}
                    menu={{
                      items: [
                        { key: 'one', label: t('meeting.cancelOne'), disabled: !occ },
                        { key: 'all', label: t('meeting.cancelSeries'), danger: true },
                      ],
                      onClick: ({ key }) => confirmCancel(key as 'one' | 'all'),
                    }}
                  >
                    <Button danger icon={<DeleteOutlined aria-hidden />}>
                      {t('meeting.cancel')} <DownOutlined aria-hidden />
                    </Button>
                  </Dropdown>
                ) : (
                  <Button danger icon={<DeleteOutlined aria-hidden />} onClick={() => confirmCancel('all')}>
                    {t('meeting.cancel')}
                  </Button>
                )}
              </>
            )}
          </>
        }
      />
      {canControl && !m.runInProgress && m.startableFrom && dayjs(m.startableFrom).isAfter(dayjs()) && (
        <Alert
          type="info"
          showIcon
          data-testid="startable-from"
          message={t('meeting.startableFrom', { from: fmtDateTime(m.startableFrom) })}
          style={{ marginBottom: 16 }}
        />
      )}
      {justBooked && <Alert type="success" showIcon closable message={t('meeting.bookedBanner', { number: m.number })} style={{ marginBottom: 16 }} />}
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={15}>
          <Card
            title={t('meeting.details')}
            extra={
              <Button icon={<CopyOutlined aria-hidden />} onClick={() => void copy(invitation)}>
                {t('meeting.copyInvitation')}
              </Button>
            }
          >
            <Descriptions column={{ xs: 1, md: 2 }} size="middle">
              <Descriptions.Item label={t('meeting.number')}>
                <Typography.Text strong copyable>
                  {m.number}
                </Typography.Text>
              </Descriptions.Item>
              <Descriptions.Item label={t('booking.password')}>
                {m.password ? <Typography.Text copyable>{m.password}</Typography.Text> : t('common.none')}
              </Descriptions.Item>
              <Descriptions.Item label={t('meeting.time')}>{occ ? fmtSpan(dayjs(occ.start), dayjs(occ.end)) : fmtDateTime(m.start)}</Descriptions.Item>
              <Descriptions.Item label={t('fields.duration')}>{fmtDuration(m.durationMinutes, t)}</Descriptions.Item>
              <Descriptions.Item label={t('fields.recurrence')}>
                {m.recurrence ? describeRecurrence(fromRecurrence(m.recurrence, toLocalDate(dayjs(m.start).tz(m.timeZone))), t) : t('recurrence.none')}
              </Descriptions.Item>
              <Descriptions.Item label={t('fields.timeZone')}>{m.timeZone}</Descriptions.Item>
              <Descriptions.Item label={t('fields.participants')}>{t('common.people', { count: m.participants })}</Descriptions.Item>
              <Descriptions.Item label={t('fields.roomId')}>{m.room ? `${m.room.name}（${m.room.number}）` : '—'}</Descriptions.Item>
              <Descriptions.Item label={t('booking.options')} span={2}>
                <Space wrap>
                  {m.options.muteOnEntry && <Tag>{t('booking.muteOnEntry')}</Tag>}
                  {m.options.live && <Tag color="red">{t('booking.live')}</Tag>}
                  {m.options.record && <Tag color="volcano">{t('booking.record')}</Tag>}
                  {m.options.guestsMayStart && <Tag>{t('booking.guestsMayStart')}</Tag>}
                  {!m.options.muteOnEntry && !m.options.live && !m.options.record && !m.options.guestsMayStart && t('common.none')}
                </Space>
              </Descriptions.Item>
              <Descriptions.Item label={t('meeting.joinUrl')} span={2}>
                <Typography.Text copyable>{m.joinUrl}</Typography.Text>
              </Descriptions.Item>
              <Descriptions.Item label={t('meeting.sipUri')} span={2}>
                <Typography.Text copyable>{m.sipUri}</Typography.Text>
              </Descriptions.Item>
              {m.description && (
                <Descriptions.Item label={t('fields.description')} span={2}>
                  <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', marginBottom: 0 }}>{m.description}</Typography.Paragraph>
                </Descriptions.Item>
              )}
            </Descriptions>
          </Card>
          {series && (
            <Card title={t('meeting.occurrences')} style={{ marginTop: 16 }}>
              <List
                dataSource={upcoming.slice(0, 12)}
                locale={{ emptyText: t('meeting.noUpcoming') }}
                renderItem={(o) => (
                  <List.Item
                    actions={
                      canControl
                        ? [
                            <Button key="move" type="link" size="small" onClick={() => setMoving(o)}>
                              {t('meeting.reschedule')}
                            </Button>,
                            <Button
                              key="cancel"
                              type="link"
                              size="small"
                              danger
                              onClick={() =>
                                modal.confirm({
                                  title: t('meeting.cancelOneConfirm', { time: fmtDateTime(o.start) }),
                                  content: t('meeting.cancelNotice'),
                                  okType: 'danger',
                                  okText: t('meeting.cancelOne'),
                                  cancelText: t('common.back'),
                                  onOk: async () => {
                                    const r = await cancelOccurrence({ id: m.id, occurrence: o.key }, { additionalTypenames: ['ScheduledMeeting'] });
                                    if (r.error) message.error(errorText(r.error));
                                    else refetch();
                                  },
                                })
                              }
                            >
                              {t('meeting.cancelOne')}
                            </Button>,
                          ]
                        : []
                    }
                  >
                    <Space>
                      <span style={{ fontWeight: o.key === occ?.key ? 600 : undefined }}>
                        {fmtSpan(dayjs(o.start), dayjs(o.end))} {dayjs(o.start).format('ddd')}
                      </span>
                      {o.moved && <Tag color="orange">{t('meeting.moved')}</Tag>}
                    </Space>
                  </List.Item>
                )}
              />
            </Card>
          )}
        </Col>
        <Col xs={24} xl={9}>
          <Card title={t('meeting.invitees')}>
            <List
              size="small"
              dataSource={[
                ...m.invitees.members.map((x) => ({ key: x.id, title: x.name, desc: [x.email, x.department].filter(Boolean).join(' · '), tag: x.id === m.presenterId ? t('fields.presenterId') : '' })),
                ...m.invitees.groupIds.map((g) => {
                  const gr = groupName.get(g);
                  return { key: g, title: gr ? gr.name : t('meeting.group'), desc: gr ? t('picker.groupLabel', { name: gr.name, count: gr.memberCount }) : '', tag: t('meeting.group') };
                }),
                ...m.invitees.emails.map((e) => ({ key: e, title: e, desc: t('meeting.outside'), tag: '' })),
              ]}
              locale={{ emptyText: t('meeting.noInvitees') }}
              renderItem={(x) => (
                <List.Item>
                  <List.Item.Meta title={<Space>{x.title}{x.tag && <Tag>{x.tag}</Tag>}</Space>} description={x.desc} />
                </List.Item>
              )}
            />
          </Card>
          {canControl && <Deliveries id={m.id} />}
        </Col>
      </Row>
      {inviting && <InviteModal m={m} onClose={() => setInviting(false)} />}
      {moving && <MoveModal m={m} occ={moving} onClose={(moved) => (setMoving(null), moved && refetch())} />}
    </>
  );
}

function Deliveries({ id }: { id: string }) {
  const { t } = useTranslation();
  const [res] = useQuery({ query: DeliveriesDocument, variables: { id } });
  const list = res.data?.meeting.deliveries ?? [];
  const color: Record<string, string> = { sent: 'green', failed: 'red', retrying: 'orange', pending: 'blue', sending: 'blue', disabled: 'default' };
  return (
    <Card title={t('meeting.deliveries')} style={{ marginTop: 16 }} size="small">
      {res.error ? (
        <Typography.Text type="secondary">{t('meeting.deliveriesUnavailable')}</Typography.Text>
      ) : (
        <Table
          size="small"
          rowKey={(d) => `${d.email}-${d.method}-${d.updatedAt}`}
          loading={res.fetching && !res.data}
          dataSource={list}
          pagination={{ pageSize: 8, hideOnSinglePage: true }}
          locale={{ emptyText: t('meeting.noDeliveries') }}
          columns={[
            { title: t('fields.email'), dataIndex: 'email', ellipsis: true },
            {
              title: t('meeting.deliveryStatus'),
              dataIndex: 'status',
              render: (s: string, d) => (
                <Tag color={color[s] ?? 'default'} title={d.lastError ?? undefined}>
                  {t(`meeting.delivery.${s}`, { defaultValue: s })}
                </Tag>
              ),
            },
          ]}
        />
      )}
    </Card>
  );
}

function InviteModal({ m, onClose }: { m: Meeting; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const errorText = useErrorText();
  const [value, setValue] = useState<Invitees>(emptyInvitees());
  const [state, invite] = useMutation(InviteDocument);
  const [error, setError] = useState<unknown>(null);
  const submit = async () => {
    setError(null);
    const r = await invite({ id: m.id, memberIds: value.members.map((x) => x.id), groupIds: value.groupIds, emails: value.emails });
    if (r.error) return setError(r.error);
    message.success(t('meeting.invitedOk'));
    onClose();
  };
  const empty = !value.members.length && !value.groupIds.length && !value.emails.length;
  return (
    <Modal open title={t('meeting.inviteMore')} onCancel={onClose} onOk={submit} okText={t('meeting.sendInvites')} cancelText={t('common.cancel')} okButtonProps={{ disabled: empty }} confirmLoading={state.fetching} destroyOnHidden>
      {error ? <Typography.Paragraph type="danger" role="alert">{errorText(error)}</Typography.Paragraph> : null}
      <Typography.Paragraph type="secondary">{t('meeting.inviteHelp')}</Typography.Paragraph>
      <DirectoryPicker value={value} onChange={setValue} excludeIds={[...m.invitees.members.map((x) => x.id), ...(m.host ? [m.host.id] : [])]} />
    </Modal>
  );
}

function MoveModal({ m, occ, onClose }: { m: Meeting; occ: Occ; onClose: (moved: boolean) => void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [start, setStart] = useState<Dayjs>(dayjs(occ.start));
  const [minutes, setMinutes] = useState(dayjs(occ.end).diff(dayjs(occ.start), 'minute'));
  const [state, move] = useMutation(MoveOccurrenceDocument);
  const [error, setError] = useState<unknown>(null);
  const submit = async () => {
    setError(null);
    const r = await move({ id: m.id, occurrence: occ.key, start: start.second(0).millisecond(0).toISOString(), durationMinutes: minutes }, { additionalTypenames: ['ScheduledMeeting'] });
    if (r.error) return setError(r.error);
    onClose(true);
  };
  return (
    <Modal open title={t('meeting.moveTitle', { time: fmtDateTime(occ.start) })} onCancel={() => onClose(false)} onOk={submit} okText={t('common.save')} cancelText={t('common.cancel')} confirmLoading={state.fetching} destroyOnHidden>
      {error ? <Typography.Paragraph type="danger" role="alert">{errorText(error)}</Typography.Paragraph> : null}
      <Form layout="vertical">
        <Form.Item label={t('fields.start')}>
          <DatePicker showTime={{ format: 'HH:mm', minuteStep: 5 }} format="YYYY-MM-DD HH:mm" value={start} onChange={(d) => d && setStart(d)} allowClear={false} />
        </Form.Item>
        <Form.Item label={t('fields.duration')}>
          <Select value={minutes} onChange={setMinutes} options={[...new Set([minutes, ...DURATIONS])].sort((a, b) => a - b).map((d) => ({ value: d, label: fmtDuration(d, t) }))} style={{ width: 200 }} />
        </Form.Item>
      </Form>
      <Typography.Text type="secondary">{t('meeting.moveHelp')}</Typography.Text>
    </Modal>
  );
}
