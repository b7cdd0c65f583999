// The meeting room page at /meeting/:number. The join page hands over the joinMeeting
// answer in the router state ({ join: JoinHandoff }, see src/join/README.md); a fresh
// token goes straight to /rtc. A used or stale one (a reload) is replaced by calling
// joinMeeting again with the hand-over's password and name. Without a hand-over the
// person is sent to /join/:number. After the session ends a screen says why.
import './room.css';
import { Alert, App as AntApp, Button, ConfigProvider, Result, Spin, theme } from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate, useParams } from 'react-router';
import { useClient } from 'urql';
import { useErrorText } from '../api/useErrorText';
import { useSession } from '../auth/session';
import type { EndReason } from '../rtc/session';
import { RoomJoinMeetingDocument } from './api';
import { fmtDuration, type JoinPayload } from './hooks';
import Room from './Room';

/** The join page's hand-over as the room reads it (src/join/handoff.ts, JoinHandoff). */
interface Handoff {
  join: JoinPayload;
  password: string;
  guest: boolean;
  devices: { audioInputId: string | null; videoInputId: string | null; micOn: boolean; camOn: boolean };
  joinedAt: number;
}

function handoffOf(state: unknown, number: string): Handoff | null {
  const h = (state as { join?: Handoff } | null)?.join;
  return h?.join?.token && h.join.number === number ? h : null;
}

/** Whether the token can still be redeemed (unused tokens live 60 s). */
function tokenFresh(h: Handoff, used: Set<string>): boolean {
  return !used.has(h.join.token) && Date.parse(h.join.expiresAt) - Date.now() > 2000;
}

// Tokens this tab already presented (a remount must not present one twice).
const usedTokens = new Set<string>();

/** The room is dark (video first), whatever the app's theme. */
export default function MeetingRoom() {
  return (
    <ConfigProvider theme={{ algorithm: theme.darkAlgorithm }}>
      <AntApp>
        <MeetingRoomPage />
      </AntApp>
    </ConfigProvider>
  );
}

function MeetingRoomPage() {
  const { number = '' } = useParams();
  const location = useLocation();
  const navigate = useNavigate();
  const client = useClient();
  const { me } = useSession();
  const { t, i18n } = useTranslation(undefined, { keyPrefix: 'room' });
  const errorText = useErrorText();
  const handoff = handoffOf(location.state, number);
  const handoffRef = useRef(handoff);
  handoffRef.current = handoff;
  const [join, setJoin] = useState<JoinPayload | null>(() => (handoff && tokenFresh(handoff, usedTokens) ? handoff.join : null));
  const [joinError, setJoinError] = useState<unknown>(null);
  const [ended, setEnded] = useState<{ reason: EndReason; message?: string; at: number } | null>(null);
  // For the summary after the end: the meeting last joined, and since when this person was in it.
  const lastJoin = useRef<JoinPayload | null>(null);
  const enteredAt = useRef<number | null>(null);
  if (join) {
    lastJoin.current = join;
    enteredAt.current ??= Date.now();
  }

  /** joinMeeting again with the hand-over's password and name: a new token. */
  const rejoin = useCallback(async (): Promise<JoinPayload | null> => {
    const h = handoffRef.current;
    const r = await client
      .mutation(
        RoomJoinMeetingDocument,
        { number, password: h?.password || null, displayName: h?.guest ? h.join.displayName : null },
        { requestPolicy: 'network-only' },
      )
      .toPromise();
    if (r.error) throw r.error;
    return r.data?.joinMeeting ?? null;
  }, [client, number]);

  const renewToken = useCallback(async () => (await rejoin())?.token ?? null, [rejoin]);

  const enterAgain = useCallback(() => {
    setJoinError(null);
    setEnded(null);
    setJoin(null);
    enteredAt.current = null;
    rejoin()
      .then((j) => setJoin(j))
      .catch(setJoinError);
  }, [rejoin]);

  useEffect(() => {
    if (join || ended || joinError) return;
    if (!handoff) {
      navigate(`/join/${encodeURIComponent(number)}`, { replace: true });
      return;
    }
    enterAgain();
    // Only when there is nothing to show yet.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    if (join) usedTokens.add(join.token);
  }, [join]);

  const home = () => navigate(me ? '/' : `/join/${encodeURIComponent(number)}`);

  if (ended) {
    // Neither a removal nor a disabled or changed account can come back on this join.
    const final = ['removed', 'meetingEnded', 'forbidden', 'accountDisabled', 'roleChanged'].includes(ended.reason);
    const again = !final && !!handoff;
    // A summary, not an alarm: a warning only when something went wrong.
    const trouble = ['failed', 'unauthorized', 'shutdown', 'forbidden', 'accountDisabled', 'roleChanged'].includes(ended.reason);
    const j = lastJoin.current;
    const stay = enteredAt.current ? Math.max(0, Math.round((ended.at - enteredAt.current) / 1000)) : null;
    const runStart = j ? Date.parse(j.runStartedAt) : NaN;
    const total = ended.reason === 'meetingEnded' && !Number.isNaN(runStart) ? Math.max(0, Math.round((ended.at - runStart) / 1000)) : null;
    return (
      <main className="room-ended" data-testid="room-ended" data-reason={ended.reason}>
        <Result
          status={trouble ? 'warning' : ended.reason === 'left' || ended.reason === 'meetingEnded' ? 'success' : 'info'}
          title={t(`ended.${ended.reason}`)}
          subTitle={j ? j.name : undefined}
          extra={[
            again && (
              <Button key="rejoin" type="primary" onClick={enterAgain}>
                {t('ended.rejoin')}
              </Button>
            ),
            <Button key="home" type={again ? 'default' : 'primary'} onClick={home}>
              {t('ended.home')}
            </Button>,
          ]}
        >
          {j && (
            <dl className="room-summary" data-testid="room-summary">
              <dt>{t('ended.number')}</dt>
              <dd>{j.number}</dd>
              {stay !== null && (
                <>
                  <dt>{t('ended.yourTime')}</dt>
                  <dd data-testid="summary-stay">{fmtDuration(stay)}</dd>
                </>
              )}
              {total !== null && (
                <>
                  <dt>{t('ended.meetingTime')}</dt>
                  <dd data-testid="summary-total">{fmtDuration(total)}</dd>
                </>
              )}
              <dt>{t(ended.reason === 'meetingEnded' ? 'ended.endedAt' : 'ended.leftAt')}</dt>
              <dd>{new Date(ended.at).toLocaleTimeString(i18n.language, { hour: '2-digit', minute: '2-digit' })}</dd>
            </dl>
          )}
        </Result>
      </main>
    );
  }

  if (joinError) {
    return (
      <main className="room-ended">
        <Alert
          type="error"
          showIcon
          role="alert"
          message={errorText(joinError, { byCode: { NOT_FOUND: 'errors.join.notFound' } })}
          action={
            <Button size="small" onClick={() => navigate(`/join/${encodeURIComponent(number)}`)}>
              {t('ended.rejoin')}
            </Button>
          }
        />
      </main>
    );
  }

  if (!join) {
    return (
      <main className="room-ended" aria-busy="true">
        <Spin tip={t('state.connecting')}>
          <div style={{ width: 160, height: 80 }} />
        </Spin>
      </main>
    );
  }

  const d = handoff?.devices;
  return (
    <Room
      key={join.token}
      join={join}
      micOn={d?.micOn ?? true}
      cameraOn={d?.camOn ?? true}
      audioDeviceId={d?.audioInputId ?? null}
      videoDeviceId={d?.videoInputId ?? null}
      signedIn={!!me}
      password={handoffRef.current?.password ?? ''}
      isAdmin={me?.role === 'ENTERPRISE_ADMIN'}
      renewToken={renewToken}
      onEnded={(e) => {
        setJoin(null);
        // The first reason wins (the meeting's end, then our own leave that follows).
        setEnded((prev) => prev ?? { ...e, at: Date.now() });
      }}
    />
  );
}
