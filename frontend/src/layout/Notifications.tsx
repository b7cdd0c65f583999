import { BellOutlined } from '@ant-design/icons';
import { App, Badge, Button, Dropdown, Empty, Space, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useSubscription } from 'urql';
import { graphql } from '../gql';
import type { NotificationsSubscription } from '../gql/graphql';
import { fmtDateTimeZoned } from '../lib/time';

const NotificationsDocument = graphql(`
  subscription Notifications {
    notifications {
      kind
      meetingId
      number
      name
      hostName
      start
      at
    }
  }
`);

type Notice = NotificationsSubscription['notifications'];

/** In-app notices (invited, updated, cancelled, started now) as they arrive, with one-click join. */
export function Notifications() {
  const { t, i18n } = useTranslation();
  const { notification } = App.useApp();
  const navigate = useNavigate();
  const [list, setList] = useState<Notice[]>([]);
  const [unread, setUnread] = useState(0);
  const [res] = useSubscription({ query: NotificationsDocument });
  const last = useRef<Notice | null>(null);

  useEffect(() => {
    const n = res.data?.notifications;
    if (!n || n === last.current) return;
    last.current = n;
    setList((l) => [n, ...l].slice(0, 30));
    setUnread((u) => u + 1);
    const key = `${n.meetingId}-${n.at}`;
    const join = () => {
      notification.destroy(key);
      navigate(`/join/${n.number}`);
    };
    notification.open({
      key,
      message: t(`notices.${n.kind}.title`),
      description: t(`notices.${n.kind}.body`, { name: n.name, host: n.hostName, start: fmtDateTimeZoned(n.start, i18n.language), number: n.number }),
      duration: n.kind === 'STARTED_NOW' ? 0 : 8,
      actions:
        n.kind === 'STARTED_NOW' || n.kind === 'INVITED' ? (
          <Space>
            <Button size="small" onClick={() => (notification.destroy(key), navigate(`/meetings/${n.meetingId}`))}>
              {t('notices.details')}
            </Button>
            {n.kind === 'STARTED_NOW' && (
              <Button type="primary" size="small" onClick={join}>
                {t('notices.join')}
              </Button>
            )}
          </Space>
        ) : undefined,
    });
  }, [res.data, navigate, notification, t, i18n.language]);

  return (
    <Dropdown
      trigger={['click']}
      onOpenChange={(o) => o && setUnread(0)}
      popupRender={() => (
        <div className="ant-dropdown-menu" style={{ width: 320, maxHeight: 420, overflow: 'auto', padding: 8 }}>
          {list.length === 0 ? (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('notices.none')} />
          ) : (
            list.map((n) => (
              <div
                key={`${n.meetingId}-${n.at}`}
                role="button"
                tabIndex={0}
                style={{ padding: '8px 8px', cursor: 'pointer', borderRadius: 6 }}
                onClick={() => navigate(n.kind === 'STARTED_NOW' ? `/join/${n.number}` : `/meetings/${n.meetingId}`)}
                onKeyDown={(e) => e.key === 'Enter' && navigate(`/meetings/${n.meetingId}`)}
              >
                <Typography.Text strong>{t(`notices.${n.kind}.title`)}</Typography.Text>
                <br />
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t(`notices.${n.kind}.body`, { name: n.name, host: n.hostName, start: fmtDateTimeZoned(n.start, i18n.language), number: n.number })}
                </Typography.Text>
              </div>
            ))
          )}
        </div>
      )}
    >
      <Button type="text" aria-label={t('notices.label')} icon={<Badge count={unread} size="small"><BellOutlined aria-hidden /></Badge>} />
    </Dropdown>
  );
}
