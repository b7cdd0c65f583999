// The whiteboard panel of the meeting room: Excalidraw, loaded when first opened; in a
// side panel for oneself, or in a pane of the stage when it is shown to everyone.
import { ClearOutlined, EyeInvisibleOutlined, EyeOutlined } from '@ant-design/icons';
import { Button, ConfigProvider, Popconfirm, Spin, Tag, theme } from 'antd';
import { lazy, Suspense, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { WhiteboardClient } from './client';

const ExcalidrawBoard = lazy(() => import('./ExcalidrawBoard'));

export interface WhiteboardPanelProps {
  client: WhiteboardClient;
  moderator: boolean;
  nameOf: (participantId: string) => string;
  /** The board is shown to everyone (it is in a pane of the stage). */
  shown?: boolean;
  /** Shows the board to everyone or stops; absent for those who may not (not host, admin or presenter). */
  onShow?: (on: boolean) => void;
}

/** Whether the client has the board and an open channel, as React state. */
function useBoardReady(client: WhiteboardClient): boolean {
  const [ready, setReady] = useState(client.ready);
  useEffect(() => {
    setReady(client.ready);
    return client.on('ready', setReady);
  }, [client]);
  return ready;
}

export default function WhiteboardPanel({ client, moderator, nameOf, shown = false, onShow }: WhiteboardPanelProps) {
  const { t, i18n } = useTranslation(undefined, { keyPrefix: 'room' });
  const ready = useBoardReady(client);
  return (
    // The board is white whatever the room's theme.
    <ConfigProvider theme={{ algorithm: theme.defaultAlgorithm }}>
    <section className="wb-panel" aria-label={t('whiteboard.title')} data-testid="whiteboard">
      <div className="wb-bar">
        <strong>{t('whiteboard.title')}</strong>
        {!ready && <Tag color="orange">{t('whiteboard.connecting')}</Tag>}
        {shown && <Tag color="blue">{t('whiteboard.everyone')}</Tag>}
        <span style={{ flex: 1 }} />
        {onShow && (
          <Button size="small" type={shown ? 'default' : 'primary'} icon={shown ? <EyeInvisibleOutlined /> : <EyeOutlined />} onClick={() => onShow(!shown)}>
            {shown ? t('whiteboard.stopShowing') : t('whiteboard.showAll')}
          </Button>
        )}
        {moderator && (
          <Popconfirm title={t('whiteboard.clearConfirm')} okText={t('whiteboard.clear')} cancelText={t('common.cancel')} onConfirm={() => client.clearBoard()}>
            <Button size="small" icon={<ClearOutlined />} disabled={!ready}>
              {t('whiteboard.clear')}
            </Button>
          </Popconfirm>
        )}
      </div>
      <div className="wb-canvas">
        <Suspense
          fallback={
            <div className="wb-loading">
              <Spin tip={t('whiteboard.loading')}>
                <div style={{ width: 120, height: 60 }} />
              </Spin>
            </div>
          }
        >
          <ExcalidrawBoard client={client} lang={i18n.language} nameOf={nameOf} editable={ready} />
        </Suspense>
      </div>
    </section>
    </ConfigProvider>
  );
}
