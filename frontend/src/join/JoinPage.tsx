import { AudioMutedOutlined, AudioOutlined, LoginOutlined, VideoCameraOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Col, Form, Input, Progress, Row, Select, Space, Switch, Typography, theme } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { useMutation } from 'urql';
import { notStarted } from '../api/errors';
import { useErrorText } from '../api/useErrorText';
import { useSession } from '../auth/session';
import { BrandMark } from '../components/BrandMark';
import { LangSwitch } from '../components/LangSwitch';
import { ruleOf } from '../components/rules';
import { fmtDateTime } from '../lib/time';
import * as v from '../lib/validation';
import { RoomJoinMeetingDocument } from '../room/api';
import { setJoinHandoff, type JoinHandoff } from './handoff';
import { useDevicePreview } from './useDevicePreview';
import './join.css';

interface JoinForm {
  number: string;
  password: string;
  displayName: string;
}

/** How often a person waiting for the host asks again, and for how long at most. */
const WAIT_POLL_MS = 3000;
const WAIT_JITTER_MS = 1000;
const WAIT_LIMIT_MS = 4 * 3600_000;

/** A person who came before the host: asked again every few seconds until the host starts. */
interface Waiting {
  form: JoinForm;
  startsAt?: string;
  since: number;
  /** The last refusal, shown again if the waiting gives up. */
  refusal: unknown;
}

/**
 * Join by number: number, password, display name (guests) and a device preview. Who
 * comes before the host waits here (the preview stays on) and enters by themself once
 * the host starts: joinMeeting is asked again every 3–4 s (a right password is never
 * throttled), for at most 4 hours.
 */
export default function JoinPage() {
  const { t } = useTranslation();
  const { number: routeNumber } = useParams();
  const location = useLocation();
  const navigate = useNavigate();
  const { me } = useSession();
  const errorText = useErrorText();
  const { token } = theme.useToken();
  const [form] = Form.useForm<JoinForm>();
  const [state, join] = useMutation(RoomJoinMeetingDocument);
  const [error, setError] = useState<unknown>(null);
  const [waiting, setWaiting] = useState<Waiting | null>(null);
  const preview = useDevicePreview();
  const videoRef = useRef<HTMLVideoElement>(null);
  const prefill = (location.state as { password?: string } | null)?.password ?? '';
  const guest = !me;

  useEffect(() => {
    if (videoRef.current) videoRef.current.srcObject = preview.stream;
  }, [preview.stream]);

  const submit = async (f: JoinForm) => {
    setError(null);
    const number = v.normalizeMeetingNumber(f.number);
    const r = await join({ number, password: f.password || null, displayName: f.displayName?.trim() || null });
    if (r.error || !r.data) {
      const early = notStarted(r.error);
      if (early) {
        setWaiting((w) => ({ form: f, startsAt: early.startsAt, since: w?.since ?? Date.now(), refusal: r.error }));
        return;
      }
      setWaiting(null);
      return setError(r.error);
    }
    setWaiting(null);
    const handoff: JoinHandoff = {
      join: r.data.joinMeeting,
      password: f.password ?? '',
      guest,
      devices: { audioInputId: preview.audioId, videoInputId: preview.videoId, micOn: preview.micOn, camOn: preview.camOn },
      joinedAt: Date.now(),
    };
    preview.stop();
    setJoinHandoff(handoff);
    navigate(`/meeting/${handoff.join.number}`, { state: { join: handoff } });
  };

  // Ask again while waiting; every answer that is still "not started" sets a new
  // Waiting and so schedules the next.
  useEffect(() => {
    if (!waiting) return;
    if (Date.now() - waiting.since > WAIT_LIMIT_MS) {
      setWaiting(null);
      setError(waiting.refusal);
      return;
    }
    const timer = setTimeout(() => void submit(waiting.form), WAIT_POLL_MS + Math.random() * WAIT_JITTER_MS);
    return () => clearTimeout(timer);
    // submit is recreated each render; the waiting state alone drives the retries.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [waiting]);

  const cameraOptions = preview.devices.cameras.map((d, i) => ({ value: d.deviceId, label: d.label || t('join.cameraN', { n: i + 1 }) }));
  const micOptions = preview.devices.microphones.map((d, i) => ({ value: d.deviceId, label: d.label || t('join.micN', { n: i + 1 }) }));

  return (
    <div className="join-page" style={{ background: token.colorBgLayout }}>
      <header className="join-header">
        {me ? (
          <Link to="/" aria-label={t('common.home')} style={{ color: 'inherit' }}>
            <BrandMark size={28} />
          </Link>
        ) : (
          <BrandMark size={28} />
        )}
        <Space>
          <LangSwitch signedIn={!!me} />
          {!me && (
            <Link to="/login">
              <Button type="link">{t('join.signIn')}</Button>
            </Link>
          )}
        </Space>
      </header>
      <main className="join-main">
        <Typography.Title level={2} style={{ textAlign: 'center' }}>
          {t('join.title')}
        </Typography.Title>
        <Row gutter={[24, 24]} style={{ maxWidth: 1040, width: '100%' }}>
          <Col xs={24} md={13}>
            <Card title={t('join.preview')} size="small">
              <div className="join-video" style={{ background: '#1f1f1f' }}>
                {preview.camOn && preview.stream?.getVideoTracks().length ? (
                  <video ref={videoRef} autoPlay playsInline muted aria-label={t('join.preview')} />
                ) : (
                  <div className="join-video-off">
                    <VideoCameraOutlined aria-hidden style={{ fontSize: 40 }} />
                    <div>{preview.camOn ? (preview.starting ? t('common.loading') : t('join.noCamera')) : t('join.cameraOff')}</div>
                  </div>
                )}
              </div>
              {preview.error && (
                <Alert style={{ marginTop: 12 }} type="warning" showIcon message={t(`join.deviceErrors.${preview.error}`)} />
              )}
              <Space direction="vertical" style={{ width: '100%', marginTop: 12 }} size={12}>
                <Space wrap style={{ width: '100%', justifyContent: 'space-between' }}>
                  <Space>
                    <Switch checked={preview.camOn} onChange={preview.setCamOn} aria-label={t('join.camOn')} />
                    <span>{t('join.camOn')}</span>
                  </Space>
                  <Select
                    aria-label={t('join.camera')}
                    style={{ minWidth: 220 }}
                    value={preview.videoId ?? undefined}
                    placeholder={t('join.camera')}
                    options={cameraOptions}
                    onChange={preview.setVideoId}
                    disabled={!preview.camOn || cameraOptions.length === 0}
                  />
                </Space>
                <Space wrap style={{ width: '100%', justifyContent: 'space-between' }}>
                  <Space>
                    <Switch checked={preview.micOn} onChange={preview.setMicOn} aria-label={t('join.micOn')} />
                    <span>{t('join.micOn')}</span>
                  </Space>
                  <Select
                    aria-label={t('join.microphone')}
                    style={{ minWidth: 220 }}
                    value={preview.audioId ?? undefined}
                    placeholder={t('join.microphone')}
                    options={micOptions}
                    onChange={preview.setAudioId}
                    disabled={!preview.micOn || micOptions.length === 0}
                  />
                </Space>
                <Space style={{ width: '100%' }} align="center">
                  {preview.micOn ? <AudioOutlined aria-hidden /> : <AudioMutedOutlined aria-hidden />}
                  <Progress
                    percent={Math.round(preview.level * 100)}
                    steps={20}
                    showInfo={false}
                    size={[10, 10]}
                    strokeColor={token.colorSuccess}
                    aria-label={t('join.level')}
                  />
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t('join.levelHelp')}
                  </Typography.Text>
                </Space>
              </Space>
            </Card>
          </Col>
          <Col xs={24} md={11}>
            <Card>
              {error ? (
                <Alert
                  type="error"
                  showIcon
                  role="alert"
                  style={{ marginBottom: 16 }}
                  message={errorText(error, { byCode: { NOT_FOUND: 'errors.join.notFound', FORBIDDEN: 'errors.join.locked' } })}
                />
              ) : null}
              {waiting ? (
                <Alert
                  type="info"
                  showIcon
                  role="status"
                  data-testid="join-waiting"
                  style={{ marginBottom: 16 }}
                  message={t('join.waiting')}
                  description={
                    <>
                      {waiting.startsAt && <div>{t('join.bookedFor', { startsAt: fmtDateTime(waiting.startsAt) })}</div>}
                      <div>{t('join.waitingHelp')}</div>
                      <Button size="small" style={{ marginTop: 8 }} onClick={() => setWaiting(null)}>
                        {t('join.stopWaiting')}
                      </Button>
                    </>
                  }
                />
              ) : null}
              <Form<JoinForm>
                form={form}
                layout="vertical"
                name="join"
                size="large"
                initialValues={{ number: routeNumber ?? '', password: prefill, displayName: me?.name ?? '' }}
                onFinish={submit}
              >
                <Form.Item name="number" label={t('join.number')} rules={[ruleOf((x: string) => v.meetingNumber(x ?? ''), t)]}>
                  <Input inputMode="numeric" autoComplete="off" placeholder={t('join.numberPlaceholder')} autoFocus={!routeNumber} />
                </Form.Item>
                <Form.Item name="password" label={t('join.password')} extra={me ? t('join.passwordHelpMember') : t('join.passwordHelp')}>
                  <Input.Password autoComplete="off" autoFocus={!!routeNumber} />
                </Form.Item>
                <Form.Item
                  name="displayName"
                  label={t('join.displayName')}
                  extra={me ? t('join.displayNameMember') : undefined}
                  rules={guest ? [ruleOf((x: string) => v.text(x ?? '', 64), t)] : [ruleOf((x: string) => v.text(x ?? '', 64, false), t)]}
                >
                  <Input maxLength={64} autoComplete="name" disabled={!!me} />
                </Form.Item>
                <Button
                  type="primary"
                  htmlType="submit"
                  block
                  icon={<LoginOutlined aria-hidden />}
                  loading={waiting ? true : state.fetching}
                  disabled={!!waiting}
                >
                  {waiting ? t('join.waitingButton') : t('join.submit')}
                </Button>
              </Form>
            </Card>
          </Col>
        </Row>
      </main>
    </div>
  );
}
