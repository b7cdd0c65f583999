// The whiteboard panel of the meeting room: Excalidraw, loaded when first opened.
import { ClearOutlined } from '@ant-design/icons';
import { Button, ConfigProvider, Popconfirm, Spin, Tag, theme } from 'antd';
import { lazy, Suspense, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { WhiteboardClient } from './client';

const ExcalidrawBoard = lazy(() => import('./ExcalidrawBoard'));

export interface WhiteboardPanelProps {
  client: WhiteboardClient;
  moderator: boolean;
  nameOf: (participantId: string) => string;
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

export default function WhiteboardPanel({ client, moderator, nameOf }: WhiteboardPanelProps) {
  const { t, i18n } = useTranslation('room');
  const ready = useBoardReady(client);
  return (
    // The board is white whatever the room's theme.
    <ConfigProvider theme={{ algorithm: theme.defaultAlgorithm }}>
    <section className="wb-panel" aria-label={t('whiteboard.title')} data-testid="whiteboard">
      <div className="wb-bar">
        <strong>{t('whiteboard.title')}</strong>
        {!ready && <Tag color="orange">{t('whiteboard.connecting')}</Tag>}
        <span style={{ flex: 1 }} />
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
