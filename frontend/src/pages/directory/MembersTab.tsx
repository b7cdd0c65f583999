import { DeleteOutlined, EditOutlined, KeyOutlined, LockOutlined, MoreOutlined, PlusOutlined, SearchOutlined, UnlockOutlined } from '@ant-design/icons';
import { App, Button, Dropdown, Form, Input, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import type { RuleObject } from 'antd/es/form';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery } from 'urql';
import { useErrorText } from '../../api/useErrorText';
import { useMe } from '../../auth/session';
import { useDebounced } from '../../components/DirectoryPicker';
import { ErrorAlert } from '../../components/ErrorAlert';
import { OneTimeSecret } from '../../components/OneTimeSecret';
import { ruleOf } from '../../components/rules';
import { FormModal } from '../../components/FormModal';
import { graphql } from '../../gql';
import type { MemberStatus, MembersQuery, Role } from '../../gql/graphql';
import * as v from '../../lib/validation';
import { listsOf } from '../../api/typenames';

const MembersDocument = graphql(`
  query Members($filter: MemberFilter, $first: Int, $after: String) {
    members(filter: $filter, first: $first, after: $after) {
      edges {
        node {
          id
          name
          email
          phone
          department
          title
          employeeNo
          role
          status
          language
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

const CreateMemberDocument = graphql(`
  mutation CreateMember($input: NewMemberInput!) {
    createMember(input: $input) {
      member {
        id
        email
        phone
      }
      generatedPassword
    }
  }
`);

const UpdateMemberDocument = graphql(`
  mutation UpdateMember($id: ID!, $input: UpdateMemberInput!) {
    updateMember(id: $id, input: $input) {
      id
      name
      email
      phone
      department
      title
      employeeNo
      role
      status
    }
  }
`);

const FreezeMemberDocument = graphql(`
  mutation FreezeMember($id: ID!) {
    freezeMember(id: $id) {
      id
      status
    }
  }
`);

const UnfreezeMemberDocument = graphql(`
  mutation UnfreezeMember($id: ID!) {
    unfreezeMember(id: $id) {
      id
      status
    }
  }
`);

const DeleteMemberDocument = graphql(`
  mutation DeleteMember($id: ID!) {
    deleteMember(id: $id)
  }
`);

const SetMemberLanguageDocument = graphql(`
  mutation SetMemberLanguage($memberId: ID!, $language: String!) {
    setLanguage(memberId: $memberId, language: $language) {
      id
      language
    }
  }
`);

const ResetPasswordDocument = graphql(`
  mutation ResetMemberPassword($id: ID!) {
    resetMemberPassword(id: $id)
  }
`);

type Member = MembersQuery['members']['edges'][number]['node'];
const PAGE = 20;

/** Members: search, filter, add, edit, freeze, reset password, delete; paged by cursor. */
export function MembersTab() {
  const { t } = useTranslation();
  const me = useMe();
  const { modal, message } = App.useApp();
  const errorText = useErrorText();
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState<MemberStatus | 'ALL'>('ALL');
  const debounced = useDebounced(search.trim());
  // Cursors of the pages seen so far: pages[i] is the `after` of page i.
  const [pages, setPages] = useState<(string | null)[]>([null]);
  const [page, setPage] = useState(0);
  const filter = { search: debounced || null, status: status === 'ALL' ? null : status };
  const [res, refetch] = useQuery({ query: MembersDocument, variables: { filter, first: PAGE, after: pages[page] }, context: listsOf.members });
  const [editing, setEditing] = useState<Member | 'new' | null>(null);
  const [secret, setSecret] = useState<{ login: string; password: string } | null>(null);
  const [, freeze] = useMutation(FreezeMemberDocument);
  const [, unfreeze] = useMutation(UnfreezeMemberDocument);
  const [, del] = useMutation(DeleteMemberDocument);
  const [, reset] = useMutation(ResetPasswordDocument);

  const restart = () => {
    setPages([null]);
    setPage(0);
  };
  const conn = res.data?.members;

  const act = async (key: string, m: Member) => {
    const done = (r: { error?: unknown }, ok: string) => (r.error ? message.error(errorText(r.error)) : message.success(ok));
    if (key === 'freeze')
      modal.confirm({
        title: t('directory.freezeConfirm', { name: m.name }),
        content: t('directory.freezeHelp'),
        okText: t('directory.freeze'),
        okType: 'danger',
        cancelText: t('common.cancel'),
        onOk: async () => done(await freeze({ id: m.id }), t('directory.frozenOk', { name: m.name })),
      });
    if (key === 'unfreeze') done(await unfreeze({ id: m.id }), t('directory.unfrozenOk', { name: m.name }));
    if (key === 'reset')
      modal.confirm({
        title: t('directory.resetConfirm', { name: m.name }),
        content: t('directory.resetHelp'),
        okText: t('directory.reset'),
        cancelText: t('common.cancel'),
        onOk: async () => {
          const r = await reset({ id: m.id });
          if (r.error) message.error(errorText(r.error));
          else setSecret({ login: m.email || m.phone, password: r.data!.resetMemberPassword });
        },
      });
    if (key === 'delete')
      modal.confirm({
        title: t('directory.deleteConfirm', { name: m.name }),
        content: t('directory.deleteHelp'),
        okText: t('common.delete'),
        okType: 'danger',
        cancelText: t('common.cancel'),
        onOk: async () => done(await del({ id: m.id }, { additionalTypenames: ['User'] }), t('directory.deletedOk', { name: m.name })),
      });
    if (key === 'copyId') {
      await navigator.clipboard?.writeText(m.id).catch(() => {});
      message.success(t('directory.idCopied', { id: m.id }));
    }
  };

  return (
    <>
      <Space style={{ marginBottom: 16, width: '100%', justifyContent: 'space-between' }} wrap>
        <Space wrap>
          <Input
            allowClear
            prefix={<SearchOutlined aria-hidden />}
            placeholder={t('directory.search')}
            aria-label={t('directory.search')}
            value={search}
            onChange={(e) => {
              setSearch(e.target.value);
              restart();
            }}
            style={{ width: 260 }}
          />
          <Select
            aria-label={t('directory.status')}
            value={status}
            style={{ width: 130 }}
            onChange={(s) => {
              setStatus(s);
              restart();
            }}
            options={[
              { value: 'ALL', label: t('directory.allStatuses') },
              { value: 'ACTIVE', label: t('directory.statuses.ACTIVE') },
              { value: 'FROZEN', label: t('directory.statuses.FROZEN') },
            ]}
          />
        </Space>
        <Button type="primary" icon={<PlusOutlined aria-hidden />} onClick={() => setEditing('new')}>
          {t('directory.addMember')}
        </Button>
      </Space>
      <ErrorAlert error={res.error} retry={() => refetch({ requestPolicy: 'network-only' })} style={{ marginBottom: 16 }} />
      <Table<Member>
        rowKey="id"
        loading={res.fetching}
        dataSource={conn?.edges.map((e) => e.node) ?? []}
        pagination={false}
        scroll={{ x: 'max-content' }}
        columns={[
          {
            title: t('fields.name'),
            dataIndex: 'name',
            fixed: 'left',
            render: (n: string, m) => (
              <span className="jst-nowrap">
                <span data-testid="member-name">{n}</span>
                {m.role === 'ENTERPRISE_ADMIN' && (
                  <Tag color="blue" style={{ marginInlineStart: 8 }}>
                    {t('roles.ENTERPRISE_ADMIN')}
                  </Tag>
                )}
              </span>
            ),
          },
          {
            title: t('fields.email'),
            dataIndex: 'email',
            render: (x: string) =>
              x ? (
                <Clip text={x} testId="member-email" />
              ) : (
                // A member with a phone number instead: say so, not an empty cell.
                <Typography.Text type="secondary" className="jst-nowrap" data-testid="member-no-email">
                  {t('directory.noEmail')}
                </Typography.Text>
              ),
          },
          { title: t('fields.phone'), dataIndex: 'phone', render: (x: string) => (x ? <span className="jst-nowrap">{x}</span> : '—') },
          { title: t('fields.department'), dataIndex: 'department', render: (x: string) => (x ? <Clip text={x} /> : '—') },
          { title: t('fields.title'), dataIndex: 'title', render: (x: string) => (x ? <Clip text={x} /> : '—') },
          { title: t('fields.employeeNo'), dataIndex: 'employeeNo', render: (x: string) => x || '—' },
          {
            title: t('directory.status'),
            dataIndex: 'status',
            render: (s: MemberStatus) => <Tag color={s === 'ACTIVE' ? 'green' : 'default'}>{t(`directory.statuses.${s}`)}</Tag>,
          },
          {
            title: t('common.actions'),
            fixed: 'right',
            width: 130,
            render: (_, m) => (
              <Space size={0}>
                <Button type="link" icon={<EditOutlined aria-hidden />} onClick={() => setEditing(m)} aria-label={t('directory.editNamed', { name: m.name })} />
                <Dropdown
                  trigger={['click']}
                  menu={{
                    items: [
                      m.status === 'FROZEN'
                        ? { key: 'unfreeze', icon: <UnlockOutlined aria-hidden />, label: t('directory.unfreeze') }
                        : { key: 'freeze', icon: <LockOutlined aria-hidden />, label: t('directory.freeze'), disabled: m.id === me.id },
                      { key: 'reset', icon: <KeyOutlined aria-hidden />, label: t('directory.reset') },
                      { key: 'copyId', label: t('directory.copyId') },
                      { type: 'divider' },
                      { key: 'delete', icon: <DeleteOutlined aria-hidden />, label: t('common.delete'), danger: true, disabled: m.id === me.id },
                    ],
                    onClick: ({ key }) => void act(key, m),
                  }}
                >
                  <Button type="text" icon={<MoreOutlined aria-hidden />} aria-label={t('directory.moreFor', { name: m.name })} />
                </Dropdown>
              </Space>
            ),
          },
        ]}
      />
      <Space style={{ marginTop: 16, width: '100%', justifyContent: 'space-between' }} wrap>
        <Typography.Text type="secondary">{conn ? t('common.total', { count: conn.totalCount }) : ''}</Typography.Text>
        <Space>
          <Button disabled={page === 0} onClick={() => setPage((p) => p - 1)}>
            {t('common.prevPage')}
          </Button>
          <Typography.Text>{t('common.pageN', { n: page + 1 })}</Typography.Text>
          <Button
            disabled={!conn?.pageInfo.hasNextPage}
            onClick={() => {
              const next = conn?.pageInfo.endCursor ?? null;
              setPages((p) => [...p.slice(0, page + 1), next]);
              setPage((p) => p + 1);
            }}
          >
            {t('common.nextPage')}
          </Button>
        </Space>
      </Space>
      {editing && (
        <MemberModal
          member={editing === 'new' ? null : editing}
          onClose={(created) => {
            setEditing(null);
            if (created) setSecret(created);
          }}
        />
      )}
      <Modal open={!!secret} title={t('secret.modalTitle')} onCancel={() => setSecret(null)} footer={<Button type="primary" onClick={() => setSecret(null)}>{t('common.close')}</Button>}>
        {secret && <OneTimeSecret {...secret} />}
      </Modal>
    </>
  );
}

/** One line of text, cut with an ellipsis past maxWidth; the whole text is its title. */
function Clip({ text, testId, maxWidth = 260 }: { text: string; testId?: string; maxWidth?: number }) {
  return (
    <span className="jst-clip" title={text} style={{ maxWidth }} data-testid={testId}>
      {text}
    </span>
  );
}

interface MemberForm {
  name: string;
  email?: string;
  phone?: string;
  department?: string;
  title?: string;
  employeeNo?: string;
  role: Role;
  password?: string;
  language: string;
}

function MemberModal({ member, onClose }: { member: Member | null; onClose: (created?: { login: string; password: string }) => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<MemberForm>();
  const [, create] = useMutation(CreateMemberDocument);
  const [, update] = useMutation(UpdateMemberDocument);
  const [, setLanguage] = useMutation(SetMemberLanguageDocument);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (f: MemberForm) => {
    setBusy(true);
    setError(null);
    const fields = {
      name: f.name.trim(),
      email: f.email?.trim() ?? '',
      phone: f.phone?.trim() ?? '',
      department: f.department?.trim() ?? '',
      title: f.title?.trim() ?? '',
      employeeNo: f.employeeNo?.trim() ?? '',
      role: f.role,
    };
    if (member) {
      const r = await update({ id: member.id, input: fields });
      const l = !r.error && f.language !== member.language ? await setLanguage({ memberId: member.id, language: f.language }) : null;
      setBusy(false);
      if (r.error || l?.error) return setError(r.error ?? l?.error);
      message.success(t('common.saved'));
      return onClose();
    }
    const r = await create({ input: { ...fields, password: f.password || null } }, { additionalTypenames: ['User'] });
    if (!r.error && f.language === 'en') await setLanguage({ memberId: r.data!.createMember.member.id, language: 'en' });
    setBusy(false);
    if (r.error) return setError(r.error);
    message.success(t('directory.addedOk', { name: fields.name }));
    const gen = r.data!.createMember.generatedPassword;
    const created = r.data!.createMember.member;
    onClose(gen ? { login: created.email || created.phone, password: gen } : undefined);
  };

  return (
    <FormModal title={member ? t('directory.editMember', { name: member.name }) : t('directory.addMember')} busy={busy} error={error} onOk={() => form.submit()} onClose={onClose} width={600}>
      <Form<MemberForm>
        form={form}
        layout="vertical"
        name="member"
        initialValues={member ? { ...member, language: member.language === 'en' ? 'en' : 'zh-CN' } : { role: 'MEMBER', language: 'zh-CN' }}
        onFinish={submit}
        style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(220px, 1fr))', columnGap: 16 }}
      >
        <Form.Item name="name" label={t('fields.name')} rules={[ruleOf((x: string) => v.text(x ?? '', 64), t)]}>
          <Input autoFocus />
        </Form.Item>
        <Typography.Paragraph type="secondary" style={{ gridColumn: '1 / -1', marginBottom: 8 }} data-testid="contact-help">
          {t('directory.contactHelp')}
        </Typography.Paragraph>
        <Form.Item
          name="email"
          label={t('fields.email')}
          dependencies={['phone']}
          rules={[
            ({ getFieldValue }) => ruleOf((x: string) => v.emailOrPhone(x ?? '', getFieldValue('phone') ?? '') ?? (x?.trim() ? v.email(x) : null), t) as RuleObject,
          ]}
        >
          <Input type="email" autoComplete="off" />
        </Form.Item>
        <Form.Item name="phone" label={t('fields.phone')} rules={[ruleOf((x: string) => v.phone(x ?? ''), t)]}>
          <Input inputMode="tel" autoComplete="off" />
        </Form.Item>
        <Form.Item name="employeeNo" label={t('fields.employeeNo')} rules={[ruleOf((x: string) => v.employeeNo(x ?? ''), t)]}>
          <Input />
        </Form.Item>
        <Form.Item name="department" label={t('fields.department')} rules={[ruleOf((x: string) => v.text(x ?? '', 100, false), t)]}>
          <Input />
        </Form.Item>
        <Form.Item name="title" label={t('fields.title')} rules={[ruleOf((x: string) => v.text(x ?? '', 100, false), t)]}>
          <Input />
        </Form.Item>
        <Form.Item name="role" label={t('fields.role')}>
          <Select
            options={[
              { value: 'MEMBER', label: t('roles.MEMBER') },
              { value: 'ENTERPRISE_ADMIN', label: t('roles.ENTERPRISE_ADMIN') },
            ]}
          />
        </Form.Item>
        <Form.Item name="language" label={t('directory.language')} extra={t('directory.languageHelp')}>
          <Select
            options={[
              { value: 'zh-CN', label: '简体中文' },
              { value: 'en', label: 'English' },
            ]}
          />
        </Form.Item>
        {!member && (
          <Form.Item
            name="password"
            label={`${t('directory.initialPassword')}（${t('common.optional')}）`}
            extra={t('directory.passwordHelp')}
            rules={[ruleOf((x: string) => (x ? v.accountPassword(x) : null), t)]}
          >
            <Input.Password autoComplete="new-password" />
          </Form.Item>
        )}
      </Form>
    </FormModal>
  );
}
