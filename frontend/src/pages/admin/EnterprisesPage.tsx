import { PlusOutlined, SearchOutlined, UserAddOutlined } from '@ant-design/icons';
import { App, Button, Card, Form, Input, InputNumber, Modal, Space, Switch, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery } from 'urql';
import { useErrorText } from '../../api/useErrorText';
import { useDebounced } from '../../components/DirectoryPicker';
import { ErrorAlert } from '../../components/ErrorAlert';
import { OneTimeSecret } from '../../components/OneTimeSecret';
import { FormModal } from '../../components/FormModal';
import { PageHead } from '../../components/PageHead';
import { graphql } from '../../gql';
import type { EnterprisesQuery } from '../../gql/graphql';
import { fmtDateTime } from '../../lib/time';
import * as v from '../../lib/validation';
import { ruleOf } from '../../components/rules';
import { listsOf } from '../../api/typenames';

const EnterprisesDocument = graphql(`
  query Enterprises($search: String, $first: Int, $after: String) {
    enterprises(search: $search, first: $first, after: $after) {
      edges {
        node {
          id
          name
          code
          quota
          frozen
          createdAt
          branding {
            domains
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
      totalCount
    }
  }
`);

const CreateEnterpriseDocument = graphql(`
  mutation CreateEnterprise($input: CreateEnterpriseInput!) {
    createEnterprise(input: $input) {
      id
      name
      code
      quota
      frozen
    }
  }
`);

const UpdateEnterpriseDocument = graphql(`
  mutation UpdateEnterprise($id: ID!, $input: UpdateEnterpriseInput!) {
    updateEnterprise(id: $id, input: $input) {
      id
      name
      code
      quota
      frozen
    }
  }
`);

const CreateEnterpriseAdminDocument = graphql(`
  mutation CreateEnterpriseAdmin($enterpriseId: ID!, $input: NewMemberInput!) {
    createEnterpriseAdmin(enterpriseId: $enterpriseId, input: $input) {
      member {
        id
        email
      }
      generatedPassword
    }
  }
`);

type Ent = EnterprisesQuery['enterprises']['edges'][number]['node'];
const PAGE = 50;

/** Platform admins: enterprises (tenants), their quotas, freezing and their administrators. */
export default function EnterprisesPage() {
  const { t } = useTranslation();
  const [search, setSearch] = useState('');
  const debounced = useDebounced(search.trim());
  const [first, setFirst] = useState(PAGE);
  const [res, refetch] = useQuery({ query: EnterprisesDocument, variables: { search: debounced || null, first }, context: listsOf.enterprises });
  const [editing, setEditing] = useState<Ent | 'new' | null>(null);
  const [adminFor, setAdminFor] = useState<Ent | null>(null);
  const list = res.data?.enterprises.edges.map((e) => e.node) ?? [];

  return (
    <>
      <PageHead
        title={t('enterprises.title')}
        sub={t('enterprises.sub')}
        extra={
          <Button type="primary" icon={<PlusOutlined aria-hidden />} onClick={() => setEditing('new')}>
            {t('enterprises.create')}
          </Button>
        }
      />
      <Card>
        <Space style={{ marginBottom: 16 }} wrap>
          <Input
            allowClear
            prefix={<SearchOutlined aria-hidden />}
            placeholder={t('enterprises.search')}
            aria-label={t('enterprises.search')}
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            style={{ width: 280 }}
          />
          {res.data && <Typography.Text type="secondary">{t('common.total', { count: res.data.enterprises.totalCount })}</Typography.Text>}
        </Space>
        <ErrorAlert error={res.error} retry={() => refetch({ requestPolicy: 'network-only' })} style={{ marginBottom: 16 }} />
        <Table<Ent>
          rowKey="id"
          loading={res.fetching && !res.data}
          dataSource={list}
          pagination={false}
          scroll={{ x: 760 }}
          columns={[
            { title: t('fields.name'), dataIndex: 'name', render: (n: string, e) => <Space>{n}{e.frozen && <Tag color="red">{t('enterprises.frozen')}</Tag>}</Space> },
            { title: t('fields.code'), dataIndex: 'code', render: (c: string) => <Typography.Text code>{c}</Typography.Text> },
            { title: t('fields.quota'), dataIndex: 'quota', render: (q: number) => (q === 0 ? t('common.unlimited') : t('common.people', { count: q })) },
            { title: t('fields.domains'), render: (_, e) => e.branding.domains.join(', ') || '—' },
            { title: t('enterprises.created'), dataIndex: 'createdAt', render: (d: string) => fmtDateTime(d) },
            {
              title: t('common.actions'),
              fixed: 'right',
              render: (_, e) => (
                <Space size={0} wrap>
                  <Button type="link" onClick={() => setEditing(e)}>
                    {t('common.edit')}
                  </Button>
                  <Button type="link" icon={<UserAddOutlined aria-hidden />} onClick={() => setAdminFor(e)}>
                    {t('enterprises.addAdmin')}
                  </Button>
                </Space>
              ),
            },
          ]}
        />
        {res.data?.enterprises.pageInfo.hasNextPage && (
          <div style={{ textAlign: 'center', marginTop: 16 }}>
            <Button onClick={() => setFirst((f) => Math.min(f + PAGE, 200))} loading={res.fetching} disabled={first >= 200}>
              {t('common.loadMore')}
            </Button>
          </div>
        )}
      </Card>
      {editing && <EnterpriseModal ent={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
      {adminFor && <AdminModal ent={adminFor} onClose={() => setAdminFor(null)} />}
    </>
  );
}

function EnterpriseModal({ ent, onClose }: { ent: Ent | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const [, create] = useMutation(CreateEnterpriseDocument);
  const [, update] = useMutation(UpdateEnterpriseDocument);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (f: { name: string; code: string; quota: number; frozen?: boolean }) => {
    setBusy(true);
    setError(null);
    const r = ent
      ? await update({ id: ent.id, input: { name: f.name.trim(), code: f.code, quota: f.quota, frozen: !!f.frozen } })
      : await create({ input: { name: f.name.trim(), code: f.code, quota: f.quota } });
    setBusy(false);
    if (r.error) return setError(r.error);
    message.success(ent ? t('common.saved') : t('enterprises.created_ok'));
    onClose();
  };

  return (
    <FormModal title={ent ? t('enterprises.edit', { name: ent.name }) : t('enterprises.create')} busy={busy} error={error} onOk={() => form.submit()} onClose={onClose}>
      <Form
        form={form}
        layout="vertical"
        name="enterprise"
        initialValues={ent ? { name: ent.name, code: ent.code, quota: ent.quota, frozen: ent.frozen } : { quota: 100 }}
        onFinish={submit}
      >
        <Form.Item name="name" label={t('fields.name')} rules={[ruleOf((x: string) => v.text(x ?? '', 100), t)]}>
          <Input autoFocus />
        </Form.Item>
        <Form.Item name="code" label={t('fields.code')} extra={t('enterprises.codeHelp')} rules={[ruleOf((x: string) => v.enterpriseCode(x ?? ''), t)]}>
          <Input />
        </Form.Item>
        <Form.Item name="quota" label={t('fields.quota')} extra={t('enterprises.quotaHelp')} rules={[ruleOf((x: number) => v.intInRange(x, 0, 1_000_000), t)]}>
          <InputNumber min={0} max={1_000_000} style={{ width: 200 }} addonAfter={t('common.peopleUnit')} />
        </Form.Item>
        {ent && (
          <Form.Item name="frozen" label={t('enterprises.frozenLabel')} valuePropName="checked" extra={t('enterprises.frozenHelp')}>
            <Switch />
          </Form.Item>
        )}
      </Form>
    </FormModal>
  );
}

function AdminModal({ ent, onClose }: { ent: Ent; onClose: () => void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [form] = Form.useForm();
  const [res, create] = useMutation(CreateEnterpriseAdminDocument);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<{ email: string; password: string | null } | null>(null);

  const submit = async (f: { name: string; email: string; password?: string }) => {
    setError(null);
    const r = await create({
      enterpriseId: ent.id,
      input: { name: f.name.trim(), email: f.email.trim(), password: f.password || null },
    });
    if (r.error) return setError(r.error);
    setDone({ email: r.data!.createEnterpriseAdmin.member.email, password: r.data!.createEnterpriseAdmin.generatedPassword });
  };

  return (
    <Modal
      open
      title={t('enterprises.addAdminTo', { name: ent.name })}
      onCancel={onClose}
      onOk={() => (done ? onClose() : form.submit())}
      okText={done ? t('common.close') : t('common.create')}
      cancelButtonProps={{ style: done ? { display: 'none' } : undefined }}
      cancelText={t('common.cancel')}
      confirmLoading={res.fetching}
      destroyOnHidden
    >
      {done ? (
        done.password ? (
          <OneTimeSecret login={done.email} password={done.password} />
        ) : (
          <Typography.Paragraph>{t('enterprises.adminCreated', { email: done.email })}</Typography.Paragraph>
        )
      ) : (
        <>
          {error ? <Typography.Paragraph type="danger" role="alert">{errorText(error)}</Typography.Paragraph> : null}
          <Form form={form} layout="vertical" name="enterprise-admin" onFinish={submit}>
            <Form.Item name="name" label={t('fields.name')} rules={[ruleOf((x: string) => v.text(x ?? '', 64), t)]}>
              <Input autoFocus />
            </Form.Item>
            <Form.Item name="email" label={t('fields.email')} rules={[ruleOf((x: string) => v.email(x ?? ''), t)]}>
              <Input type="email" autoComplete="off" />
            </Form.Item>
            <Form.Item
              name="password"
              label={`${t('fields.password')}（${t('common.optional')}）`}
              extra={t('enterprises.passwordHelp')}
              rules={[ruleOf((x: string) => (x ? v.accountPassword(x) : null), t)]}
            >
              <Input.Password autoComplete="new-password" />
            </Form.Item>
          </Form>
        </>
      )}
    </Modal>
  );
}
