import { DeleteOutlined, EditOutlined, PlusOutlined, SearchOutlined, TeamOutlined, UserDeleteOutlined } from '@ant-design/icons';
import { App, Button, Drawer, Empty, Form, Input, List, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery } from 'urql';
import { useErrorText } from '../../api/useErrorText';
import { DirectoryPicker, emptyInvitees, useDebounced, type Invitees } from '../../components/DirectoryPicker';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { ruleOf } from '../../components/rules';
import { FormModal } from '../../components/FormModal';
import { graphql } from '../../gql';
import type { GroupsQuery } from '../../gql/graphql';
import { fmtDateTime } from '../../lib/time';
import * as v from '../../lib/validation';
import { listsOf } from '../../api/typenames';

const GroupsDocument = graphql(`
  query Groups($search: String) {
    groups(search: $search, first: 200) {
      edges {
        node {
          id
          name
          memberCount
          updatedAt
        }
      }
      totalCount
    }
  }
`);

const GroupMembersDocument = graphql(`
  query GroupMembers($id: ID!) {
    group(id: $id) {
      id
      name
      memberCount
      members(first: 200) {
        edges {
          node {
            id
            name
            email
            phone
            department
          }
        }
        totalCount
      }
    }
  }
`);

const CreateGroupDocument = graphql(`
  mutation CreateGroup($name: String!, $memberIds: [ID!]) {
    createGroup(name: $name, memberIds: $memberIds) {
      id
      name
      memberCount
    }
  }
`);

const RenameGroupDocument = graphql(`
  mutation RenameGroup($id: ID!, $name: String!) {
    renameGroup(id: $id, name: $name) {
      id
      name
    }
  }
`);

const AddGroupMembersDocument = graphql(`
  mutation AddGroupMembers($id: ID!, $memberIds: [ID!]!) {
    addGroupMembers(id: $id, memberIds: $memberIds) {
      id
      memberCount
    }
  }
`);

const RemoveGroupMembersDocument = graphql(`
  mutation RemoveGroupMembers($id: ID!, $memberIds: [ID!]!) {
    removeGroupMembers(id: $id, memberIds: $memberIds) {
      id
      memberCount
    }
  }
`);

const DeleteGroupDocument = graphql(`
  mutation DeleteGroup($id: ID!) {
    deleteGroup(id: $id)
  }
`);

type Group = GroupsQuery['groups']['edges'][number]['node'];

/** Groups: named sets of members for picking many participants at once. */
export function GroupsTab() {
  const { t } = useTranslation();
  const { modal, message } = App.useApp();
  const errorText = useErrorText();
  const [search, setSearch] = useState('');
  const debounced = useDebounced(search.trim());
  const [res, refetch] = useQuery({ query: GroupsDocument, variables: { search: debounced || null }, context: listsOf.groups });
  const [naming, setNaming] = useState<Group | 'new' | null>(null);
  const [open, setOpen] = useState<Group | null>(null);
  const [, del] = useMutation(DeleteGroupDocument);

  const remove = (g: Group) =>
    modal.confirm({
      title: t('groups.deleteConfirm', { name: g.name }),
      content: t('groups.deleteHelp'),
      okText: t('common.delete'),
      okType: 'danger',
      cancelText: t('common.cancel'),
      onOk: async () => {
        const r = await del({ id: g.id }, { additionalTypenames: ['Group'] });
        if (r.error) message.error(errorText(r.error));
        else message.success(t('groups.deleted', { name: g.name }));
      },
    });

  return (
    <>
      <Space style={{ marginBottom: 16, width: '100%', justifyContent: 'space-between' }} wrap>
        <Input
          allowClear
          prefix={<SearchOutlined aria-hidden />}
          placeholder={t('groups.search')}
          aria-label={t('groups.search')}
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          style={{ width: 260 }}
        />
        <Button type="primary" icon={<PlusOutlined aria-hidden />} onClick={() => setNaming('new')}>
          {t('groups.create')}
        </Button>
      </Space>
      <ErrorAlert error={res.error} retry={() => refetch({ requestPolicy: 'network-only' })} style={{ marginBottom: 16 }} />
      <Table<Group>
        rowKey="id"
        loading={res.fetching && !res.data}
        dataSource={res.data?.groups.edges.map((e) => e.node) ?? []}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        locale={{ emptyText: <Empty description={t('groups.none')} /> }}
        columns={[
          {
            title: t('fields.name'),
            dataIndex: 'name',
            render: (n: string, g) => (
              <Button type="link" style={{ padding: 0 }} icon={<TeamOutlined aria-hidden />} onClick={() => setOpen(g)}>
                {n}
              </Button>
            ),
          },
          { title: t('groups.members'), dataIndex: 'memberCount', render: (c: number) => t('common.people', { count: c }) },
          { title: t('groups.updated'), dataIndex: 'updatedAt', render: (d: string) => fmtDateTime(d), responsive: ['md'] },
          {
            title: t('common.actions'),
            render: (_, g) => (
              <Space size={0} wrap>
                <Button type="link" onClick={() => setOpen(g)}>
                  {t('groups.manage')}
                </Button>
                <Button type="link" icon={<EditOutlined aria-hidden />} onClick={() => setNaming(g)}>
                  {t('groups.rename')}
                </Button>
                <Button type="link" danger icon={<DeleteOutlined aria-hidden />} onClick={() => remove(g)} aria-label={t('groups.deleteNamed', { name: g.name })} />
              </Space>
            ),
          },
        ]}
      />
      {naming && <GroupNameModal group={naming === 'new' ? null : naming} onClose={() => setNaming(null)} />}
      {open && <GroupDrawer id={open.id} onClose={() => setOpen(null)} />}
    </>
  );
}

function GroupNameModal({ group, onClose }: { group: Group | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ name: string; members: Invitees }>();
  const [, create] = useMutation(CreateGroupDocument);
  const [, rename] = useMutation(RenameGroupDocument);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (f: { name: string; members?: Invitees }) => {
    setBusy(true);
    setError(null);
    const r = group
      ? await rename({ id: group.id, name: f.name.trim() })
      : await create({ name: f.name.trim(), memberIds: (f.members?.members ?? []).map((m) => m.id) });
    setBusy(false);
    if (r.error) return setError(r.error);
    message.success(group ? t('common.saved') : t('groups.created', { name: f.name.trim() }));
    onClose();
  };
  return (
    <FormModal title={group ? t('groups.renameTitle', { name: group.name }) : t('groups.create')} busy={busy} error={error} onOk={() => form.submit()} onClose={onClose}>
      <Form form={form} layout="vertical" name="group" initialValues={{ name: group?.name ?? '', members: emptyInvitees() }} onFinish={submit}>
        <Form.Item name="name" label={t('groups.name')} rules={[ruleOf((x: string) => v.text(x ?? '', 64), t)]}>
          <Input autoFocus />
        </Form.Item>
        {!group && (
          <Form.Item name="members" label={t('groups.initialMembers')}>
            <MembersOnlyPicker />
          </Form.Item>
        )}
      </Form>
    </FormModal>
  );
}

/** The directory picker limited to members (no groups or emails). */
function MembersOnlyPicker({ value, onChange, excludeIds }: { value?: Invitees; onChange?: (v: Invitees) => void; excludeIds?: string[] }) {
  return (
    <div className="members-only-picker">
      <DirectoryPicker value={value} onChange={onChange} excludeIds={excludeIds} membersOnly />
    </div>
  );
}

function GroupDrawer({ id, onClose }: { id: string; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const errorText = useErrorText();
  const [res, refetch] = useQuery({ query: GroupMembersDocument, variables: { id }, requestPolicy: 'cache-and-network' });
  const [adding, setAdding] = useState<Invitees>(emptyInvitees());
  const [add, addMembers] = useMutation(AddGroupMembersDocument);
  const [, removeMembers] = useMutation(RemoveGroupMembersDocument);
  const g = res.data?.group;
  const members = g?.members.edges.map((e) => e.node) ?? [];

  const doAdd = async () => {
    const r = await addMembers({ id, memberIds: adding.members.map((m) => m.id) });
    if (r.error) return message.error(errorText(r.error));
    setAdding(emptyInvitees());
    refetch({ requestPolicy: 'network-only' });
    message.success(t('groups.addedOk'));
  };
  const doRemove = async (mid: string) => {
    const r = await removeMembers({ id, memberIds: [mid] });
    if (r.error) return message.error(errorText(r.error));
    refetch({ requestPolicy: 'network-only' });
  };

  return (
    <Drawer open onClose={onClose} width={Math.min(520, window.innerWidth)} title={g ? t('groups.drawerTitle', { name: g.name, count: g.memberCount }) : t('common.loading')}>
      <ErrorAlert error={res.error} retry={() => refetch({ requestPolicy: 'network-only' })} />
      {!g && !res.error && <Loading />}
      {g && (
        <>
          <Typography.Text strong>{t('groups.addMembers')}</Typography.Text>
          <div style={{ margin: '8px 0 8px' }}>
            <DirectoryPicker value={adding} onChange={setAdding} excludeIds={members.map((m) => m.id)} membersOnly />
          </div>
          <Button type="primary" block disabled={!adding.members.length} loading={add.fetching} onClick={doAdd}>
            {t('groups.addN', { count: adding.members.length })}
          </Button>
          <List
            style={{ marginTop: 16 }}
            header={<Typography.Text strong>{t('groups.currentMembers')}</Typography.Text>}
            dataSource={members}
            locale={{ emptyText: t('groups.empty') }}
            renderItem={(m) => (
              <List.Item
                actions={[
                  <Button key="rm" type="text" danger icon={<UserDeleteOutlined aria-hidden />} onClick={() => void doRemove(m.id)} aria-label={t('groups.removeNamed', { name: m.name })} />,
                ]}
              >
                <List.Item.Meta title={m.name} description={[m.email || m.phone, m.department].filter(Boolean).join(' · ')} />
              </List.Item>
            )}
          />
        </>
      )}
    </Drawer>
  );
}
