// A past meeting's chat, in the 历史会议 drawer: the messages the reader may see (the
// host and admins: all; others: messages to everyone and their own private ones), as
// plain text, a page at a time.
import { Button, Empty, List, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useQuery } from 'urql';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { graphql } from '../../gql';
import type { RunChatQuery } from '../../gql/graphql';
import { dayjs } from '../../lib/time';

const RunChatDocument = graphql(`
  query RunChat($id: ID!, $after: Int) {
    meetingRun(id: $id) {
      id
      chat(first: 200, after: $after) {
        messages {
          seq
          at
          fromName
          private
          privateWithName
          text
        }
        hasMore
      }
    }
  }
`);

type Msg = RunChatQuery['meetingRun']['chat']['messages'][number];

export function RunChat({ runId }: { runId: string }) {
  const { t } = useTranslation();
  const [after, setAfter] = useState<number | null>(null);
  const [res, refetch] = useQuery({ query: RunChatDocument, variables: { id: runId, after } });
  const [msgs, setMsgs] = useState<Msg[]>([]);
  const page = res.data?.meetingRun.chat;
  useEffect(() => {
    if (!page) return;
    setMsgs((list) => [...list, ...page.messages.filter((m) => !list.some((x) => x.seq === m.seq))]);
  }, [page]);
  if (!res.data && !res.error && msgs.length === 0) return <Loading />;
  return (
    <div data-testid="run-chat">
      <ErrorAlert error={res.error} retry={() => refetch({ requestPolicy: 'network-only' })} />
      {msgs.length === 0 ? (
        <Empty description={t('history.chatEmpty')} />
      ) : (
        <List
          size="small"
          dataSource={msgs}
          rowKey="seq"
          renderItem={(m) => (
            <List.Item data-testid="run-chat-message">
              <List.Item.Meta
                title={
                  <span>
                    <Typography.Text strong>{m.fromName}</Typography.Text>{' '}
                    {m.private && <Tag color="purple">{t('history.chatPrivate', { name: m.privateWithName ?? '' })}</Tag>}
                    <Typography.Text type="secondary">{dayjs(m.at).format('MM-DD HH:mm:ss')}</Typography.Text>
                  </span>
                }
                description={<div style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', color: 'inherit' }}>{m.text}</div>}
              />
            </List.Item>
          )}
        />
      )}
      {page?.hasMore && (
        <Button onClick={() => setAfter(msgs[msgs.length - 1].seq)} loading={res.fetching}>
          {t('history.chatMore')}
        </Button>
      )}
    </div>
  );
}
