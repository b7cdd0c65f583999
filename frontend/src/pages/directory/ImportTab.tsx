import { CheckCircleOutlined, CloudUploadOutlined, DownloadOutlined, FileExcelOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Col, Descriptions, Row, Space, Table, Typography, Upload } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation } from 'urql';
import { useErrorText } from '../../api/useErrorText';
import { downloadQuery } from '../../lib/time';
import { graphql } from '../../gql';
import type { ImportMembersMutation } from '../../gql/graphql';

const ImportMembersDocument = graphql(`
  mutation ImportMembers($file: Upload!, $dryRun: Boolean) {
    importMembers(file: $file, dryRun: $dryRun) {
      applied
      total
      created
      updated
      unchanged
      errors {
        row
        column
        field
        code
        message
      }
    }
  }
`);

type Result = ImportMembersMutation['importMembers'];
const MAX_BYTES = 8 << 20;

/** Template download, bulk import (checked first, all or nothing, errors row by row) and export. */
export function ImportTab() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const errorText = useErrorText();
  const download = downloadQuery(i18n.language);
  const [file, setFile] = useState<File | null>(null);
  const [result, setResult] = useState<{ dry: boolean; r: Result } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [state, run] = useMutation(ImportMembersDocument);

  const go = async (dryRun: boolean) => {
    if (!file) return;
    setError(null);
    const r = await run({ file, dryRun }, { additionalTypenames: ['User'] });
    if (r.error) return setError(r.error);
    setResult({ dry: dryRun, r: r.data!.importMembers });
    if (!dryRun && r.data!.importMembers.applied) message.success(t('import.doneOk', { count: r.data!.importMembers.total }));
  };

  const r = result?.r;
  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} lg={10}>
        <Card title={t('import.templateTitle')} size="small">
          <Typography.Paragraph type="secondary">{t('import.templateHelp')}</Typography.Paragraph>
          <Space wrap>
            <Button icon={<FileExcelOutlined aria-hidden />} href={`/api/directory/template.xlsx?${download}`} download>
              {t('import.templateXlsx')}
            </Button>
            <Button icon={<DownloadOutlined aria-hidden />} href={`/api/directory/template.csv?${download}`} download>
              {t('import.templateCsv')}
            </Button>
          </Space>
        </Card>
        <Card title={t('import.exportTitle')} size="small" style={{ marginTop: 16 }}>
          <Typography.Paragraph type="secondary">{t('import.exportHelp')}</Typography.Paragraph>
          <Space wrap>
            <Button icon={<FileExcelOutlined aria-hidden />} href={`/api/directory/export.xlsx?${download}`} download>
              {t('import.exportXlsx')}
            </Button>
            <Button icon={<DownloadOutlined aria-hidden />} href={`/api/directory/export.csv?${download}`} download>
              {t('import.exportCsv')}
            </Button>
          </Space>
        </Card>
      </Col>
      <Col xs={24} lg={14}>
        <Card title={t('import.uploadTitle')} size="small">
          <Upload.Dragger
            accept=".xlsx,.csv"
            maxCount={1}
            multiple={false}
            showUploadList={false}
            beforeUpload={(f) => {
              if (f.size > MAX_BYTES) {
                message.error(t('import.tooLarge'));
                return Upload.LIST_IGNORE;
              }
              setFile(f);
              setResult(null);
              setError(null);
              return false;
            }}
          >
            <p className="ant-upload-drag-icon">
              <CloudUploadOutlined aria-hidden />
            </p>
            <p className="ant-upload-text">{file ? file.name : t('import.drop')}</p>
            <p className="ant-upload-hint">{t('import.dropHint')}</p>
          </Upload.Dragger>
          <Space style={{ marginTop: 16 }} wrap>
            <Button disabled={!file} loading={state.fetching && result === null} onClick={() => void go(true)}>
              {t('import.check')}
            </Button>
            <Button type="primary" disabled={!file || (result?.dry === true && result.r.errors.length > 0)} loading={state.fetching} onClick={() => void go(false)}>
              {t('import.run')}
            </Button>
          </Space>
          {error ? <Alert style={{ marginTop: 16 }} type="error" showIcon role="alert" message={errorText(error)} /> : null}
          {r && (
            <div style={{ marginTop: 16 }} aria-live="polite">
              {r.errors.length === 0 ? (
                <Alert
                  type="success"
                  showIcon
                  icon={<CheckCircleOutlined aria-hidden />}
                  message={result!.dry ? t('import.checkOk', { count: r.total }) : r.applied ? t('import.appliedOk', { count: r.total }) : t('import.notApplied')}
                  description={
                    <Descriptions size="small" column={3}>
                      <Descriptions.Item label={t('import.created')}>{r.created}</Descriptions.Item>
                      <Descriptions.Item label={t('import.updated')}>{r.updated}</Descriptions.Item>
                      <Descriptions.Item label={t('import.unchanged')}>{r.unchanged}</Descriptions.Item>
                    </Descriptions>
                  }
                />
              ) : (
                <>
                  <Alert type="error" showIcon role="alert" message={t('import.hasErrors', { count: r.errors.length, total: r.total })} />
                  <Table
                    style={{ marginTop: 12 }}
                    size="small"
                    rowKey={(e) => `${e.row}-${e.column}-${e.field}-${e.code}`}
                    dataSource={r.errors}
                    pagination={{ pageSize: 10, hideOnSinglePage: true }}
                    columns={[
                      { title: t('import.row'), dataIndex: 'row', width: 70, render: (n: number) => (n === 0 ? t('import.wholeFile') : n) },
                      { title: t('import.column'), dataIndex: 'column', width: 70, render: (c: string) => c || '—' },
                      {
                        title: t('import.field'),
                        dataIndex: 'field',
                        width: 110,
                        render: (f: string) => {
                          const k = `fields.${f}`;
                          const l = t(k);
                          return l === k ? f : l;
                        },
                      },
                      {
                        title: t('import.problem'),
                        render: (_, e) => {
                          const k = `import.codes.${e.code}`;
                          const l = t(k);
                          return <span title={e.message}>{l === k ? e.message : l}</span>;
                        },
                      },
                    ]}
                  />
                </>
              )}
            </div>
          )}
        </Card>
      </Col>
    </Row>
  );
}
