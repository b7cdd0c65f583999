import { ReloadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Checkbox, Col, DatePicker, Form, Input, InputNumber, Row, Select, Space, Typography } from 'antd';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { useErrorText } from '../../api/useErrorText';
import { useMe } from '../../auth/session';
import { DirectoryPicker, emptyInvitees } from '../../components/DirectoryPicker';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { PageHead } from '../../components/PageHead';
import { ruleOf } from '../../components/rules';
import type { MeetingQuery } from '../../gql/graphql';
import { defaultRecurrence, followStart, validate } from '../../lib/recurrence';
import { dayjs, fmtDuration, localZone, toLocalDate, zoneChoices, type Dayjs } from '../../lib/time';
import { DURATIONS, nextSlot, toBookingInput, valuesOf, type BookingValues } from './bookingValues';
import * as v from '../../lib/validation';
import { BookingSidebar } from './BookingSidebar';
import { BookableRoomsDocument, BookMeetingDocument, MeetingDocument, UpdateMeetingDocument, UpdateMeetingFromDocument } from './queries';
import { RecurrenceEditor } from './RecurrenceEditor';
import { useParticipantsDefault } from './useParticipantsDefault';

/** /book (new) and /meetings/:id/edit (?occurrence=KEY&scope=following). */
export default function BookPage() {
  const { id } = useParams();
  const [params] = useSearchParams();
  const occurrence = params.get('occurrence');
  const now = useMemo(() => dayjs(), []);
  const [res] = useQuery({
    query: MeetingDocument,
    variables: { id: id ?? '', from: now.subtract(1, 'day').toISOString(), to: now.add(364, 'day').toISOString() },
    pause: !id,
  });
  if (!id) return <BookingForm />;
  if (res.error) return <ErrorAlert error={res.error} />;
  if (!res.data) return <Loading />;
  return <BookingForm meeting={res.data.meeting} occurrence={occurrence} scope={params.get('scope') === 'following' ? 'following' : 'all'} />;
}

function BookingForm({ meeting, occurrence, scope = 'all' }: { meeting?: MeetingQuery['meeting']; occurrence?: string | null; scope?: 'all' | 'following' }) {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const { message } = App.useApp();
  const errorText = useErrorText();
  const [form] = Form.useForm<BookingValues>();
  const [rooms] = useQuery({ query: BookableRoomsDocument });
  const [, book] = useMutation(BookMeetingDocument);
  const [, update] = useMutation(UpdateMeetingDocument);
  const [, updateFrom] = useMutation(UpdateMeetingFromDocument);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const errorRef = useRef<HTMLDivElement>(null);
  const following = !!meeting && scope === 'following' && !!occurrence;

  const initial = useMemo<BookingValues>(() => {
    if (meeting) return valuesOf(meeting, following ? dayjs(occurrence!) : undefined);
    const q = params.get('start');
    const start = q && dayjs(q).isValid() ? dayjs(q) : nextSlot();
    return {
      start,
      durationMinutes: Number(params.get('minutes')) || 60,
      timeZone: localZone(),
      name: t('booking.defaultName', { name: me.name }),
      password: v.generatePassword(),
      // What fits the enterprise and the room, once the server says (useParticipantsDefault).
      participants: null,
      recurrence: defaultRecurrence(toLocalDate(start)),
      muteOnEntry: false,
      live: false,
      record: false,
      guestsMayStart: false,
      description: '',
      invitees: emptyInvitees(),
      presenterId: null,
      roomId: null,
    };
    // The form owns its values after the first render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [meeting]);

  const start = Form.useWatch('start', form) ?? initial.start;
  const minutes = Form.useWatch('durationMinutes', form) ?? initial.durationMinutes;
  const participants = Form.useWatch('participants', form) ?? initial.participants;
  const roomId = Form.useWatch('roomId', form) ?? null;
  const fits = useParticipantsDefault(form, roomId, !meeting);
  const zone = Form.useWatch('timeZone', form) ?? initial.timeZone;
  const recurrence = Form.useWatch('recurrence', form) ?? initial.recurrence;
  const invitees = Form.useWatch('invitees', form) ?? initial.invitees;
  const password = Form.useWatch('password', form) ?? '';
  const prevStart = useRef<Dayjs | null>(initial.start);

  // The weekly day and monthly day follow the start date.
  useEffect(() => {
    if (!start || !prevStart.current || start.isSame(prevStart.current, 'day')) {
      prevStart.current = start;
      return;
    }
    const next = followStart(form.getFieldValue('recurrence'), toLocalDate(prevStart.current.tz(zone)), toLocalDate(start.tz(zone)));
    form.setFieldValue('recurrence', next);
    prevStart.current = start;
  }, [start, zone, form]);

  const localStart = start ? toLocalDate(start.tz(zone)) : null;
  const presenterChoices = [{ id: meeting?.host?.id ?? me.id, name: meeting?.hostName ?? me.name }, ...invitees.members.filter((m) => m.id !== (meeting?.host?.id ?? me.id))];

  const submit = async (f: BookingValues) => {
    setError(null);
    if (localStart && validate(f.recurrence, localStart).length) return;
    setBusy(true);
    const input = toBookingInput(f, i18n.language === 'en' ? 'en' : 'zh-CN');
    const r = meeting
      ? following
        ? await updateFrom({ id: meeting.id, occurrence: occurrence!, input })
        : await update({ id: meeting.id, input })
      : await book({ input }, { additionalTypenames: ['Meeting', 'ScheduledMeeting'] });
    setBusy(false);
    if (r.error) {
      setError(r.error);
      setTimeout(() => errorRef.current?.scrollIntoView({ behavior: 'smooth', block: 'center' }), 50);
      return;
    }
    const d = r.data as Record<string, { id: string; number: string }>;
    const saved = d.bookMeeting ?? d.updateMeeting ?? d.updateMeetingFrom;
    message.success(meeting ? t('booking.updatedOk') : t('booking.bookedOk', { number: saved.number }));
    navigate(`/meetings/${saved.id}`, { replace: !!meeting, state: { justBooked: !meeting } });
  };

  const title = meeting ? (following ? t('booking.editFollowing') : t('booking.editTitle')) : t('booking.title');
  const roomOptions = [
    { value: '', label: t('booking.roomAuto') },
    ...(rooms.data?.rooms ?? []).map((r) => ({ value: r.id, label: `${r.name}（${r.number}）· ${t('common.people', { count: r.capacity })}${r.scope === 'DEDICATED' ? ` · ${t('rooms.scope.DEDICATED')}` : ''}` })),
  ];

  return (
    <>
      <PageHead title={title} sub={meeting ? `${meeting.name} · ${meeting.number}` : t('booking.sub')} />
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={15}>
          <Card>
            <div ref={errorRef}>{error ? <Alert type="error" showIcon role="alert" message={errorText(error)} style={{ marginBottom: 16 }} /> : null}</div>
            <Form<BookingValues>
              form={form}
              name="booking"
              layout="vertical"
              initialValues={initial}
              onFinish={submit}
              onFinishFailed={({ errorFields }) => errorFields[0] && form.scrollToField(errorFields[0].name)}
              scrollToFirstError
              onKeyDown={(e) => {
                // Enter confirms a typed date; it must not submit the whole booking.
                if (e.key === 'Enter' && (e.target as HTMLElement).closest('.ant-picker, .ant-select, .ant-input-number')) e.preventDefault();
              }}
            >
              <Row gutter={16}>
                <Col xs={24} md={12}>
                  <Form.Item
                    name="start"
                    label={t('fields.start')}
                    required
                    rules={[
                      { required: true, message: t('booking.startRequired') },
                      {
                        // A series may start in the past when later meetings are ahead; the server checks its end.
                        validator: (_, d: Dayjs | null) =>
                          d && form.getFieldValue('recurrence')?.kind === 'NONE' && d.add(form.getFieldValue('durationMinutes') ?? 60, 'minute').isBefore(dayjs())
                            ? Promise.reject(new Error(t('errors.input.startPast')))
                            : Promise.resolve(),
                      },
                    ]}
                  >
                    <DatePicker showTime={{ format: 'HH:mm', minuteStep: 5 }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} allowClear={false} />
                  </Form.Item>
                </Col>
                <Col xs={12} md={6}>
                  <Form.Item name="durationMinutes" label={t('fields.duration')}>
                    <Select options={DURATIONS.map((d) => ({ value: d, label: fmtDuration(d, t) }))} />
                  </Form.Item>
                </Col>
                <Col xs={12} md={6}>
                  <Form.Item
                    name="participants"
                    label={t('fields.participants')}
                    extra={fits.hint}
                    rules={[ruleOf((x: number | null) => (x == null && !meeting ? null : v.intInRange(x, 2, 10_000)), t)]}
                  >
                    <InputNumber min={2} max={10000} style={{ width: '100%' }} addonAfter={t('common.peopleUnit')} />
                  </Form.Item>
                </Col>
              </Row>
              <Row gutter={16}>
                <Col xs={24} md={12}>
                  <Form.Item name="name" label={t('booking.name')} rules={[ruleOf((x: string) => v.text(x ?? '', 100), t)]}>
                    <Input maxLength={100} />
                  </Form.Item>
                </Col>
                <Col xs={24} md={12}>
                  <Form.Item
                    name="password"
                    label={t('booking.password')}
                    extra={password ? (v.sipFriendly(password) ? undefined : t('booking.passwordNotDigits')) : t('booking.noPassword')}
                    rules={[ruleOf((x: string) => v.meetingPassword(x ?? ''), t)]}
                  >
                    <Input
                      allowClear
                      autoComplete="off"
                      addonAfter={
                        <Button type="text" size="small" icon={<ReloadOutlined aria-hidden />} onClick={() => form.setFieldValue('password', v.generatePassword())} aria-label={t('booking.regenerate')}>
                          {t('booking.regenerate')}
                        </Button>
                      }
                    />
                  </Form.Item>
                </Col>
              </Row>
              <Form.Item name="recurrence" label={t('fields.recurrence')} extra={meeting?.recurrence && !following ? t('booking.seriesEditHelp') : undefined}>
                <RecurrenceEditor start={localStart} />
              </Form.Item>
              <Form.Item name="timeZone" label={t('fields.timeZone')} extra={recurrence.kind !== 'NONE' && start ? t('booking.zoneHelp', { time: start.tz(zone).format('HH:mm'), zone }) : undefined}>
                <Select showSearch options={[...new Set([zone, ...zoneChoices()])].map((z) => ({ value: z, label: z }))} style={{ maxWidth: 320 }} />
              </Form.Item>
              <Form.Item name="invitees" label={t('booking.invitees')} extra={t('booking.inviteesHelp')}>
                <DirectoryPicker excludeIds={[meeting?.host?.id ?? me.id]} />
              </Form.Item>
              <Row gutter={16}>
                <Col xs={24} md={12}>
                  <Form.Item name="presenterId" label={t('fields.presenterId')}>
                    <Select allowClear placeholder={t('booking.presenterNone')} options={presenterChoices.map((p) => ({ value: p.id, label: p.name }))} />
                  </Form.Item>
                </Col>
                <Col xs={24} md={12}>
                  <Form.Item name="roomId" label={t('fields.roomId')} getValueProps={(x) => ({ value: x ?? '' })} normalize={(x: string) => x || null}>
                    <Select options={roomOptions} loading={rooms.fetching} />
                  </Form.Item>
                </Col>
              </Row>
              <Form.Item label={t('booking.options')}>
                <Space wrap size={[24, 8]}>
                  {(['muteOnEntry', 'live', 'record', 'guestsMayStart'] as const).map((k) => (
                    <Form.Item key={k} name={k} valuePropName="checked" noStyle>
                      <Checkbox>{t(`booking.${k}`)}</Checkbox>
                    </Form.Item>
                  ))}
                </Space>
              </Form.Item>
              <Form.Item name="description" label={t('fields.description')} rules={[{ max: 4000, message: t('validation.maxLength', { max: 4000 }) }]}>
                <Input.TextArea rows={3} maxLength={4000} showCount placeholder={t('booking.descriptionPlaceholder')} />
              </Form.Item>
              <Space>
                <Button type="primary" htmlType="submit" loading={busy} size="large">
                  {meeting ? t('booking.save') : t('booking.submit')}
                </Button>
                <Button size="large" onClick={() => navigate(-1)}>
                  {t('common.cancel')}
                </Button>
              </Space>
              {meeting && (
                <Typography.Paragraph type="secondary" style={{ marginTop: 12 }}>
                  {t('booking.updateNotice')}
                </Typography.Paragraph>
              )}
            </Form>
          </Card>
        </Col>
        <Col xs={24} xl={9}>
          <div style={{ position: 'sticky', top: 72 }}>
            <BookingSidebar
              start={start}
              minutes={minutes}
              participants={participants ?? fits.n ?? 0}
              roomId={roomId}
              editingId={meeting?.id}
              recurring={recurrence.kind !== 'NONE'}
            />
          </div>
        </Col>
      </Row>
    </>
  );
}
