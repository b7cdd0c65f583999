import { DownloadOutlined, FileTextOutlined, HighlightOutlined, RedoOutlined, SearchOutlined } from '@ant-design/icons';
import { App, Button, Card, DatePicker, Drawer, Input, Modal, Radio, Space, Table, Tabs, Tag, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useClient, useMutation, useQuery } from 'urql';
import { useErrorText } from '../../api/useErrorText';
import { useDebounced } from '../../components/DirectoryPicker';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { PageHead } from '../../components/PageHead';
import { graphql } from '../../gql';
import type { HistoryQuery } from '../../gql/graphql';
import { dayjs, downloadQuery, fmtDateTime, fmtDuration, type Dayjs } from '../../lib/time';
import { describeLogDetail } from '../../lib/meetingLog';
import { listsOf } from '../../api/typenames';
import { RunChat } from './RunChat';

const HistoryDocument = graphql(`
  query History($from: Time, $to: Time, $search: String, $first: Int, $after: String) {
    meetingHistory(from: $from, to: $to, search: $search, first: $first, after: $after) {
      edges {
        node {
          id
          meetingId
          number
          name
          hostName
          scheduledStart
          scheduledEnd
          startedAt
          endedAt
          endReason
          logCsvUrl
          whiteboard {
            savedAt
            sizeBytes
            elements
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const RunLogDocument = graphql(`
  query RunLog($id: ID!) {
    meetingRun(id: $id) {
      id
      name
      number
      startedAt
      endedAt
      logCsvUrl
      log {
        at
        kind
        actorName
        subject
        clientKind
        address
        detail
        value
      }
    }
  }
`);

const WhiteboardSceneDocument = graphql(`
  query WhiteboardScene($id: ID!) {
    meetingRun(id: $id) {
      id
      number
      whiteboard {
        scene
        savedAt
      }
    }
  }
`);

const RelaunchDocument = graphql(`
  mutation RelaunchMeeting($id: ID!, $start: Time) {
    relaunchMeeting(id: $id, start: $start) {
      id
      number
      password
      start
    }
  }
`);

type Run = HistoryQuery['meetingHistory']['edges'][number]['node'];
const PAGE = 20;

/** Past meetings: time range, name search, logs (view and CSV), whiteboards, relaunch. */
export default function HistoryPage() {
  const { t, i18n } = useTranslation();
  const [range, setRange] = useState<[Dayjs, Dayjs]>([dayjs().subtract(30, 'day').startOf('day'), dayjs().endOf('day')]);
  const [search, setSearch] = useState('');
  const debounced = useDebounced(search.trim());
  const [pages, setPages] = useState<(string | null)[]>([null]);
  const [page, setPage] = useState(0);
  const [res, refetch] = useQuery({
    query: HistoryDocument,
    variables: { from: range[0].toISOString(), to: range[1].toISOString(), search: debounced || null, first: PAGE, after: pages[page] },
    requestPolicy: 'cache-and-network',
    context: listsOf.runs,
  });
  const [logOf, setLogOf] = useState<Run | null>(null);
  const [relaunch, setRelaunch] = useState<Run | null>(null);
  const restart = () => {
    setPages([null]);
    setPage(0);
  };
  const conn = res.data?.meetingHistory;

  return (
    <>
      <PageHead title={t('history.title')} sub={t('history.sub')} />
      <Card>
        <Space wrap style={{ marginBottom: 16 }}>
          <DatePicker.RangePicker
            aria-label={t('fields.to')}
            value={range}
            allowClear={false}
            presets={[
              { label: t('history.last7'), value: [dayjs().subtract(7, 'day').startOf('day'), dayjs().endOf('day')] },
              { label: t('history.last30'), value: [dayjs().subtract(30, 'day').startOf('day'), dayjs().endOf('day')] },
              { label: t('history.last90'), value: [dayjs().subtract(90, 'day').startOf('day'), dayjs().endOf('day')] },
              { label: t('history.thisYear'), value: [dayjs().startOf('year'), dayjs().endOf('day')] },
            ]}
            onChange={(r) => {
              if (r?.[0] && r[1]) {
                setRange([r[0].startOf('day'), r[1].endOf('day')]);
                restart();
              }
            }}
          />
          <Input
            allowClear
            prefix={<SearchOutlined aria-hidden />}
            placeholder={t('history.search')}
            aria-label={t('history.search')}
            value={search}
            onChange={(e) => {
              setSearch(e.target.value);
              restart();
            }}
            style={{ width: 240 }}
          />
        </Space>
        <ErrorAlert error={res.error} retry={() => refetch({ requestPolicy: 'network-only' })} style={{ marginBottom: 16 }} />
        <Table<Run>
          rowKey="id"
          loading={res.fetching && !res.data}
          dataSource={conn?.edges.map((e) => e.node) ?? []}
          pagination={false}
          scroll={{ x: 900 }}
          locale={{ emptyText: t('history.empty') }}
          columns={[
            {
              title: t('booking.name'),
              dataIndex: 'name',
              render: (n: string, r) => (
                <Space direction="vertical" size={0}>
                  <Typography.Text strong>{n}</Typography.Text>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {r.number} · {t('meeting.hostIs', { name: r.hostName })}
                  </Typography.Text>
                </Space>
              ),
            },
            { title: t('history.started'), dataIndex: 'startedAt', render: (d: string) => fmtDateTime(d) },
            {
              title: t('history.lasted'),
              render: (_, r) => (r.endedAt ? fmtDuration(Math.max(1, dayjs(r.endedAt).diff(dayjs(r.startedAt), 'minute')), t) : '—'),
            },
            {
              title: t('history.ended'),
              render: (_, r) => (r.endReason ? <Tag>{t(`history.endReasons.${r.endReason}`, { defaultValue: r.endReason })}</Tag> : '—'),
            },
            {
              title: t('history.whiteboard'),
              render: (_, r) => (r.whiteboard ? <WhiteboardTag run={r} /> : <Typography.Text type="secondary">—</Typography.Text>),
            },
            {
              title: t('common.actions'),
              fixed: 'right',
              render: (_, r) => (
                <Space size={0} wrap>
                  <Button type="link" icon={<FileTextOutlined aria-hidden />} onClick={() => setLogOf(r)}>
                    {t('history.log')}
                  </Button>
                  <Tooltip title={t('history.csv')}>
                    <Button type="link" icon={<DownloadOutlined aria-hidden />} href={`${r.logCsvUrl}?${downloadQuery(i18n.language)}`} download aria-label={t('history.csvFor', { name: r.name })}>
                      CSV
                    </Button>
                  </Tooltip>
                  <Button type="link" icon={<RedoOutlined aria-hidden />} onClick={() => setRelaunch(r)}>
                    {t('history.relaunch')}
                  </Button>
                </Space>
              ),
            },
          ]}
        />
        <Space style={{ marginTop: 16, width: '100%', justifyContent: 'flex-end' }}>
          <Button disabled={page === 0} onClick={() => setPage((p) => p - 1)}>
            {t('common.prevPage')}
          </Button>
          <Typography.Text>{t('common.pageN', { n: page + 1 })}</Typography.Text>
          <Button
            disabled={!conn?.pageInfo.hasNextPage}
            onClick={() => {
              setPages((p) => [...p.slice(0, page + 1), conn?.pageInfo.endCursor ?? null]);
              setPage((p) => p + 1);
            }}
          >
            {t('common.nextPage')}
          </Button>
        </Space>
      </Card>
      {logOf && <LogDrawer run={logOf} onClose={() => setLogOf(null)} />}
      {relaunch && <RelaunchModal run={relaunch} onClose={() => setRelaunch(null)} />}
    </>
  );
}

function WhiteboardTag({ run }: { run: Run }) {
  const { t } = useTranslation();
  const client = useClient();
  const { message } = App.useApp();
  const errorText = useErrorText();
  const [busy, setBusy] = useState(false);
  const wb = run.whiteboard!;
  const download = async () => {
    setBusy(true);
    const r = await client.query(WhiteboardSceneDocument, { id: run.id }, { requestPolicy: 'network-only' }).toPromise();
    setBusy(false);
    const scene = r.data?.meetingRun.whiteboard?.scene;
    if (!scene) return message.error(r.error ? errorText(r.error) : t('history.noWhiteboard'));
    const url = URL.createObjectURL(new Blob([scene], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `whiteboard-${run.number}-${dayjs(run.startedAt).format('YYYYMMDD-HHmm')}.excalidraw`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <Tooltip title={t('history.whiteboardInfo', { elements: wb.elements, size: Math.max(1, Math.round(wb.sizeBytes / 1024)), at: fmtDateTime(wb.savedAt) })}>
      <Button size="small" icon={<HighlightOutlined aria-hidden />} loading={busy} onClick={() => void download()}>
        {t('history.whiteboardSaved', { count: wb.elements })}
      </Button>
    </Tooltip>
  );
}

function LogDrawer({ run, onClose }: { run: Run; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const [res, refetch] = useQuery({ query: RunLogDocument, variables: { id: run.id } });
  const log = res.data?.meetingRun.log ?? [];
  const kind = (k: string) => t(`history.kinds.${k}`, { defaultValue: k });
  return (
    <Drawer
      open
      onClose={onClose}
      width={Math.min(880, window.innerWidth)}
      title={t('history.logTitle', { name: run.name })}
      extra={
        <Button icon={<DownloadOutlined aria-hidden />} href={`${run.logCsvUrl}?${downloadQuery(i18n.language)}`} download>
          {t('history.csv')}
        </Button>
      }
    >
      <Tabs
        items={[
          {
            key: 'log',
            label: t('history.tabLog'),
            children: (
              <>
                <ErrorAlert error={res.error} retry={() => refetch({ requestPolicy: 'network-only' })} />
                {!res.data && !res.error ? (
                  <Loading />
                ) : (
                  <Table
                    size="small"
                    rowKey={(e, i) => `${e.at}-${i}`}
                    dataSource={log}
                    pagination={{ pageSize: 50, hideOnSinglePage: true }}
                    scroll={{ x: 700 }}
                    locale={{ emptyText: t('history.logEmpty') }}
                    columns={[
                      { title: t('history.at'), dataIndex: 'at', width: 150, render: (d: string) => dayjs(d).format('MM-DD HH:mm:ss') },
                      { title: t('history.event'), dataIndex: 'kind', width: 110, render: (k: string) => <Tag>{kind(k)}</Tag> },
                      { title: t('history.actor'), dataIndex: 'actorName', render: (x: string | null) => x || '—' },
                      { title: t('history.subject'), dataIndex: 'subject', render: (x: string | null) => x || '—' },
                      { title: t('history.client'), dataIndex: 'clientKind', width: 90, render: (x: string | null) => (x ? t(`history.clients.${x}`, { defaultValue: x }) : '—') },
                      { title: t('history.detail'), render: (_, e) => describeLogDetail(e, t) || e.address || '—' },
                    ]}
                  />
                )}
              </>
            ),
          },
          { key: 'chat', label: t('history.chat'), children: <RunChat runId={run.id} /> },
        ]}
      />
    </Drawer>
  );
}

function RelaunchModal({ run, onClose }: { run: Run; onClose: () => void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const errorText = useErrorText();
  const [when, setWhen] = useState<'now' | 'later'>('now');
  const [start, setStart] = useState<Dayjs>(dayjs().add(1, 'day').hour(9).minute(0).second(0));
  const [state, relaunch] = useMutation(RelaunchDocument);
  const [error, setError] = useState<unknown>(null);
  const submit = async () => {
    setError(null);
    const r = await relaunch({ id: run.meetingId, start: when === 'now' ? null : start.toISOString() }, { additionalTypenames: ['ScheduledMeeting', 'Meeting'] });
    if (r.error || !r.data) return setError(r.error);
    const m = r.data.relaunchMeeting;
    onClose();
    if (when === 'now') navigate(`/join/${m.number}`, { state: { password: m.password } });
    else navigate(`/meetings/${m.id}`, { state: { justBooked: true } });
  };
  return (
    <Modal open title={t('history.relaunchTitle', { name: run.name })} onCancel={onClose} onOk={submit} okText={t('history.relaunch')} cancelText={t('common.cancel')} confirmLoading={state.fetching} destroyOnHidden>
      {error ? <Typography.Paragraph type="danger" role="alert">{errorText(error)}</Typography.Paragraph> : null}
      <Typography.Paragraph type="secondary">{t('history.relaunchHelp')}</Typography.Paragraph>
      <Radio.Group value={when} onChange={(e) => setWhen(e.target.value)}>
        <Space direction="vertical">
          <Radio value="now">{t('history.now')}</Radio>
          <Radio value="later">
            <Space>
              {t('history.at_')}
              <DatePicker showTime={{ format: 'HH:mm', minuteStep: 5 }} format="YYYY-MM-DD HH:mm" value={start} onChange={(d) => d && (setStart(d), setWhen('later'))} allowClear={false} />
            </Space>
          </Radio>
        </Space>
      </Radio.Group>
    </Modal>
  );
}
