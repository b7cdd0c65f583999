import { DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, Form, Input, InputNumber, Radio, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery } from 'urql';
import { useErrorText } from '../../api/useErrorText';
import { isPlatformAdmin, useMe } from '../../auth/session';
import { DirectoryPicker, emptyInvitees, type Invitees } from '../../components/DirectoryPicker';
import { ErrorAlert } from '../../components/ErrorAlert';
import { FormModal } from '../../components/FormModal';
import { PageHead } from '../../components/PageHead';
import { ruleOf } from '../../components/rules';
import { graphql } from '../../gql';
import type { RoomScope, RoomsQuery } from '../../gql/graphql';
import * as v from '../../lib/validation';
import { listsOf } from '../../api/typenames';

const RoomsDocument = graphql(`
  query Rooms {
    rooms {
      id
      number
      name
      password
      capacity
      scope
      enterpriseId
      ownerId
      owner {
        id
        name
        email
      }
    }
  }
`);

const RoomEnterprisesDocument = graphql(`
  query RoomEnterprises {
    enterprises(first: 200) {
      edges {
        node {
          id
          name
          code
        }
      }
    }
  }
`);

const CreateRoomDocument = graphql(`
  mutation CreateRoom($input: RoomInput!) {
    createRoom(input: $input) {
      id
      number
      name
      password
      capacity
      scope
      enterpriseId
      ownerId
      owner {
        id
        name
        email
      }
    }
  }
`);

const UpdateRoomDocument = graphql(`
  mutation UpdateRoom($id: ID!, $input: RoomInput!) {
    updateRoom(id: $id, input: $input) {
      id
      number
      name
      password
      capacity
      scope
      enterpriseId
      ownerId
      owner {
        id
        name
        email
      }
    }
  }
`);

const DeleteRoomDocument = graphql(`
  mutation DeleteRoom($id: ID!) {
    deleteRoom(id: $id)
  }
`);

type Room = RoomsQuery['rooms'][number];

const SCOPE_COLOR: Record<RoomScope, string> = { SHARED: 'blue', ENTERPRISE: 'green', DEDICATED: 'gold' };

/** Cloud meeting rooms: platform admins manage them; enterprise admins see theirs. */
export default function RoomsPage() {
  const { t } = useTranslation();
  const me = useMe();
  const admin = isPlatformAdmin(me.role);
  const { modal, message } = App.useApp();
  const errorText = useErrorText();
  const [res, refetch] = useQuery({ query: RoomsDocument, context: listsOf.rooms });
  const [ents] = useQuery({ query: RoomEnterprisesDocument, pause: !admin });
  const [, del] = useMutation(DeleteRoomDocument);
  const [editing, setEditing] = useState<Room | 'new' | null>(null);
  const entName = new Map((ents.data?.enterprises.edges ?? []).map((e) => [e.node.id, e.node.name]));

  const remove = (r: Room) =>
    modal.confirm({
      title: t('rooms.deleteConfirm', { name: r.name, number: r.number }),
      okType: 'danger',
      okText: t('common.delete'),
      cancelText: t('common.cancel'),
      onOk: async () => {
        const x = await del({ id: r.id }, { additionalTypenames: ['Room'] });
        if (x.error) message.error(errorText(x.error));
        else message.success(t('rooms.deleted'));
      },
    });

  return (
    <>
      <PageHead
        title={admin ? t('rooms.titleAdmin') : t('rooms.title')}
        sub={admin ? t('rooms.subAdmin') : t('rooms.sub')}
        extra={
          admin && (
            <Button type="primary" icon={<PlusOutlined aria-hidden />} onClick={() => setEditing('new')}>
              {t('rooms.create')}
            </Button>
          )
        }
      />
      <Card>
        <ErrorAlert error={res.error} retry={() => refetch({ requestPolicy: 'network-only' })} style={{ marginBottom: 16 }} />
        <Table<Room>
          rowKey="id"
          loading={res.fetching && !res.data}
          dataSource={res.data?.rooms ?? []}
          pagination={false}
          scroll={{ x: 760 }}
          columns={[
            { title: t('rooms.number'), dataIndex: 'number', render: (n: string) => <Typography.Text strong copyable>{n}</Typography.Text> },
            { title: t('fields.name'), dataIndex: 'name' },
            { title: t('fields.capacity'), dataIndex: 'capacity', render: (c: number) => t('common.people', { count: c }) },
            {
              title: t('fields.scope'),
              dataIndex: 'scope',
              render: (s: RoomScope) => <Tag color={SCOPE_COLOR[s]}>{t(`rooms.scope.${s}`)}</Tag>,
            },
            {
              title: t('rooms.assignedTo'),
              render: (_, r) =>
                r.scope === 'SHARED' ? (
                  <Typography.Text type="secondary">{t('rooms.everyone')}</Typography.Text>
                ) : (
                  <Space direction="vertical" size={0}>
                    {r.enterpriseId && <span>{admin ? (entName.get(r.enterpriseId) ?? r.enterpriseId) : me.enterprise?.name}</span>}
                    {r.owner && (
                      <span className="jst-nowrap" title={r.owner.email || undefined}>
                        {t('rooms.owner', { name: r.owner.name })}
                      </span>
                    )}
                  </Space>
                ),
            },
            {
              title: t('fields.password'),
              dataIndex: 'password',
              render: (p: string) => (p ? <Typography.Text code>{p}</Typography.Text> : <Typography.Text type="secondary">{t('common.none')}</Typography.Text>),
            },
            ...(admin
              ? [
                  {
                    title: t('common.actions'),
                    fixed: 'right' as const,
                    width: 180,
                    render: (_: unknown, r: Room) => (
                      <Space size={0} className="jst-nowrap">
                        <Button type="link" icon={<EditOutlined aria-hidden />} onClick={() => setEditing(r)} aria-label={t('rooms.editNamed', { name: r.name })}>
                          {t('common.edit')}
                        </Button>
                        <Button type="link" danger icon={<DeleteOutlined aria-hidden />} onClick={() => remove(r)} aria-label={t('rooms.deleteNamed', { name: r.name })}>
                          {t('common.delete')}
                        </Button>
                      </Space>
                    ),
                  },
                ]
              : []),
          ]}
        />
      </Card>
      {editing && (
        <RoomModal
          room={editing === 'new' ? null : editing}
          enterprises={(ents.data?.enterprises.edges ?? []).map((e) => e.node)}
          onClose={() => setEditing(null)}
        />
      )}
    </>
  );
}

interface RoomForm {
  number: string;
  name: string;
  password?: string;
  capacity: number;
  scope: RoomScope;
  enterpriseId?: string;
  /** For DEDICATED rooms: the enterprise whose members the owner is picked from. */
  ownerEnterpriseId?: string;
  owner?: Invitees;
}

function RoomModal({ room, enterprises, onClose }: { room: Room | null; enterprises: { id: string; name: string; code: string }[]; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<RoomForm>();
  const scope = Form.useWatch('scope', form);
  const ownerEnterpriseId = Form.useWatch('ownerEnterpriseId', form);
  const [, create] = useMutation(CreateRoomDocument);
  const [, update] = useMutation(UpdateRoomDocument);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (f: RoomForm) => {
    setBusy(true);
    setError(null);
    const input = {
      number: f.number.trim(),
      name: f.name.trim(),
      password: f.password ?? '',
      capacity: f.capacity,
      scope: f.scope,
      enterpriseId: f.scope === 'ENTERPRISE' ? f.enterpriseId : null,
      ownerId: f.scope === 'DEDICATED' ? (f.owner?.members[0]?.id ?? null) : null,
    };
    const r = room ? await update({ id: room.id, input }) : await create({ input }, { additionalTypenames: ['Room'] });
    setBusy(false);
    if (r.error) return setError(r.error);
    message.success(room ? t('common.saved') : t('rooms.created'));
    onClose();
  };

  return (
    <FormModal title={room ? t('rooms.edit', { name: room.name }) : t('rooms.create')} busy={busy} error={error} onOk={() => form.submit()} onClose={onClose} width={560}>
      <Form<RoomForm>
        form={form}
        layout="vertical"
        name="room"
        initialValues={
          room
            ? {
                number: room.number,
                name: room.name,
                password: room.password,
                capacity: room.capacity,
                scope: room.scope,
                enterpriseId: room.enterpriseId ?? undefined,
                ownerEnterpriseId: room.enterpriseId ?? undefined,
                owner: room.owner ? { ...emptyInvitees(), members: [room.owner] } : emptyInvitees(),
              }
            : { scope: 'SHARED', capacity: 100, password: '', owner: emptyInvitees() }
        }
        onFinish={submit}
      >
        <Space.Compact block>
          <Form.Item name="number" label={t('rooms.number')} rules={[ruleOf((x: string) => v.roomNumber(x ?? ''), t)]} style={{ width: '40%' }}>
            <Input inputMode="numeric" autoFocus={!room} />
          </Form.Item>
          <Form.Item name="name" label={t('fields.name')} rules={[ruleOf((x: string) => v.text(x ?? '', 64), t)]} style={{ width: '60%' }}>
            <Input />
          </Form.Item>
        </Space.Compact>
        <Space.Compact block>
          <Form.Item name="capacity" label={t('fields.capacity')} rules={[ruleOf((x: number) => v.intInRange(x, 1, 10_000), t)]} style={{ width: '40%' }}>
            <InputNumber min={1} max={10000} style={{ width: '100%' }} addonAfter={t('common.peopleUnit')} />
          </Form.Item>
          <Form.Item name="password" label={t('fields.password')} extra={t('rooms.passwordHelp')} rules={[ruleOf((x: string) => v.roomPassword(x ?? ''), t)]} style={{ width: '60%' }}>
            <Input inputMode="numeric" autoComplete="off" />
          </Form.Item>
        </Space.Compact>
        <Form.Item name="scope" label={t('rooms.assign')}>
          <Radio.Group optionType="button" buttonStyle="solid">
            {(['SHARED', 'ENTERPRISE', 'DEDICATED'] as RoomScope[]).map((s) => (
              <Radio.Button key={s} value={s}>
                {t(`rooms.scope.${s}`)}
              </Radio.Button>
            ))}
          </Radio.Group>
        </Form.Item>
        <Typography.Paragraph type="secondary" style={{ marginTop: -8 }}>
          {t(`rooms.scopeHelp.${scope ?? 'SHARED'}`)}
        </Typography.Paragraph>
        {scope === 'ENTERPRISE' && (
          <Form.Item name="enterpriseId" label={t('fields.enterpriseId')} rules={[{ required: true, message: t('validation.required') }]}>
            <Select
              showSearch
              optionFilterProp="label"
              options={enterprises.map((e) => ({ value: e.id, label: `${e.name} (${e.code})` }))}
              placeholder={t('rooms.pickEnterprise')}
            />
          </Form.Item>
        )}
        {scope === 'DEDICATED' && (
          <>
            <Form.Item name="ownerEnterpriseId" label={t('rooms.ownerEnterprise')} rules={[{ required: true, message: t('validation.required') }]}>
              <Select
                showSearch
                optionFilterProp="label"
                options={enterprises.map((e) => ({ value: e.id, label: `${e.name} (${e.code})` }))}
                placeholder={t('rooms.pickEnterprise')}
                onChange={() => form.setFieldValue('owner', emptyInvitees())}
              />
            </Form.Item>
            {ownerEnterpriseId && (
              <Form.Item
                name="owner"
                label={t('fields.ownerId')}
                extra={t('rooms.ownerHelp')}
                rules={[{ validator: (_, x?: Invitees) => (x?.members.length ? Promise.resolve() : Promise.reject(new Error(t('rooms.ownerRequired')))) }]}
              >
                <DirectoryPicker membersOnly single enterpriseId={ownerEnterpriseId} label={t('fields.ownerId')} />
              </Form.Item>
            )}
          </>
        )}
      </Form>
    </FormModal>
  );
}
