// Picks participants from the directory: members (searched as you type), groups,
// and outside email addresses. Used by booking, instant meetings and "invite more".
import { MailOutlined, TeamOutlined, UserOutlined } from '@ant-design/icons';
import { Select, Space, Tag, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useQuery } from 'urql';
import { graphql } from '../gql';
import { email as checkEmail, splitEmails } from '../lib/validation';
import { listsOf } from '../api/typenames';

graphql(`
  fragment PickMemberPage on UserConnection {
    edges {
      node {
        id
        name
        email
        department
      }
    }
    totalCount
  }
`);

const PickMembersDocument = graphql(`
  query PickMembers($search: String, $first: Int) {
    members(filter: { search: $search, status: ACTIVE }, first: $first) {
      ...PickMemberPage
    }
  }
`);

const PickEnterpriseMembersDocument = graphql(`
  query PickEnterpriseMembers($enterpriseId: ID!, $search: String, $first: Int) {
    enterprise(id: $enterpriseId) {
      id
      members(filter: { search: $search, status: ACTIVE }, first: $first) {
        ...PickMemberPage
      }
    }
  }
`);

const PickGroupsDocument = graphql(`
  query PickGroups($search: String) {
    groups(search: $search, first: 100) {
      edges {
        node {
          id
          name
          memberCount
        }
      }
    }
  }
`);

/** A member as the picker shows it. */
export interface PickedMember {
  id: string;
  name: string;
  email: string;
}

/** The picker's value. */
export interface Invitees {
  members: PickedMember[];
  groupIds: string[];
  emails: string[];
}

export const emptyInvitees = (): Invitees => ({ members: [], groupIds: [], emails: [] });

/** Debounces a value (for search-as-you-type). */
export function useDebounced<T>(value: T, ms = 250): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

export interface DirectoryPickerProps {
  value?: Invitees;
  onChange?: (v: Invitees) => void;
  /** Members not to offer (e.g. the host, or those already invited). */
  excludeIds?: string[];
  id?: string;
  /** Only members: no groups or outside emails (group editing). */
  membersOnly?: boolean;
  /** Members of this enterprise instead of the caller's (platform admins assigning a room). */
  enterpriseId?: string;
  /** One member at most: choosing another replaces the one chosen (a room's owner). */
  single?: boolean;
  /** The members field's accessible name; default "参会成员". */
  label?: string;
}

/** Three fields in one: members, groups and outside emails. Put it in a Form.Item. */
export function DirectoryPicker({ value = emptyInvitees(), onChange, excludeIds = [], id, membersOnly = false, enterpriseId, single = false, label }: DirectoryPickerProps) {
  const { t } = useTranslation();
  const [search, setSearch] = useState('');
  const debounced = useDebounced(search);
  const [own] = useQuery({ query: PickMembersDocument, variables: { search: debounced || null, first: 20 }, pause: !!enterpriseId, context: listsOf.members });
  const [ofEnterprise] = useQuery({
    query: PickEnterpriseMembersDocument,
    variables: { enterpriseId: enterpriseId ?? '', search: debounced || null, first: 20 },
    pause: !enterpriseId,
    context: listsOf.members,
  });
  const members = enterpriseId
    ? { list: ofEnterprise.data?.enterprise.members, fetching: ofEnterprise.fetching, error: ofEnterprise.error }
    : { list: own.data?.members, fetching: own.fetching, error: own.error };
  const [groups] = useQuery({ query: PickGroupsDocument, variables: { search: null }, pause: membersOnly, context: listsOf.groups });
  const [emailError, setEmailError] = useState<string | null>(null);

  // The options are the search's results in the server's order, nothing else: chosen
  // members show as tags (labelled from the value) and, where they are among the
  // results, as ticked options in their place. A click on a result toggles exactly
  // that person; nothing moves under the pointer.
  const memberOptions = useMemo(
    () =>
      (members.list?.edges ?? [])
        .map((e) => e.node)
        .filter((m) => !excludeIds.includes(m.id))
        .map((m) => ({
          value: m.id,
          label: m.name,
          title: m.email ? `${m.name} <${m.email}>` : m.name,
          desc: [m.email || t('picker.noEmail'), m.department].filter(Boolean).join(' · '),
        })),
    [members.list, excludeIds, t],
  );

  const set = (patch: Partial<Invitees>) => onChange?.({ ...value, ...patch });
  const chosenNames = new Map(value.members.map((m) => [m.id, m.name]));

  return (
    <Space direction="vertical" style={{ width: '100%' }} size={8}>
      <Select
        id={id}
        mode="multiple"
        aria-label={label ?? t('picker.members')}
        placeholder={
          <span>
            <UserOutlined aria-hidden /> {t('picker.membersPlaceholder')}
          </span>
        }
        value={value.members.map((m) => m.id)}
        filterOption={false}
        showSearch
        searchValue={search}
        onSearch={setSearch}
        onBlur={() => setSearch('')}
        loading={members.fetching}
        notFoundContent={members.error ? t('picker.loadFailed') : members.fetching ? t('common.loading') : t('picker.noMembers')}
        options={memberOptions.map((o) => ({
          value: o.value,
          label: (
            <span title={o.title} className="jst-person">
              <span className="jst-person-name">{o.label}</span>{' '}
              <Typography.Text type="secondary" className="jst-person-desc">{o.desc}</Typography.Text>
            </span>
          ),
        }))}
        tagRender={(p) => (
          <Tag closable={p.closable} onClose={p.onClose} style={{ marginInlineEnd: 4 }}>
            {chosenNames.get(String(p.value)) ?? String(p.value)}
          </Tag>
        )}
        onChange={(ids: string[]) =>
          set({
            members: (single ? ids.slice(-1) : ids).map((mid) => {
              const known = value.members.find((m) => m.id === mid);
              if (known) return known;
              const n = (members.list?.edges ?? []).find((e) => e.node.id === mid)?.node;
              return { id: mid, name: n?.name ?? mid, email: n?.email ?? '' };
            }),
          })
        }
      />
      {!membersOnly && (
      <Select
        mode="multiple"
        aria-label={t('picker.groups')}
        placeholder={
          <span>
            <TeamOutlined aria-hidden /> {t('picker.groupsPlaceholder')}
          </span>
        }
        value={value.groupIds}
        loading={groups.fetching}
        optionFilterProp="search"
        notFoundContent={groups.error ? t('picker.loadFailed') : t('picker.noGroups')}
        options={(groups.data?.groups.edges ?? []).map((e) => ({
          value: e.node.id,
          search: e.node.name,
          label: t('picker.groupLabel', { name: e.node.name, count: e.node.memberCount }),
        }))}
        onChange={(ids: string[]) => set({ groupIds: ids })}
      />
      )}
      {!membersOnly && (
      <Select
        mode="tags"
        aria-label={t('picker.emails')}
        placeholder={
          <span>
            <MailOutlined aria-hidden /> {t('picker.emailsPlaceholder')}
          </span>
        }
        value={value.emails}
        tokenSeparators={[',', ';', ' ', '，', '；', '、']}
        open={false}
        suffixIcon={null}
        status={emailError ? 'error' : undefined}
        onChange={(list: string[]) => {
          const { valid, invalid } = splitEmails(list.join(','));
          setEmailError(invalid.length ? t('picker.badEmails', { list: invalid.join(', ') }) : null);
          set({ emails: valid });
        }}
      />
      )}
      {emailError && (
        <Typography.Text type="danger" role="alert" style={{ fontSize: 12 }}>
          {emailError}
        </Typography.Text>
      )}
    </Space>
  );
}

/** Form rule: the picker's emails must be valid (the picker drops invalid ones already). */
export const inviteesRule = {
  validator: (_: unknown, v?: Invitees) =>
    v && v.emails.some((e) => checkEmail(e)) ? Promise.reject(new Error('email')) : Promise.resolve(),
};

/** Count of people chosen (groups count as one each, for a summary). */
export function inviteeSummary(v: Invitees): { members: number; groups: number; emails: number } {
  return { members: v.members.length, groups: v.groupIds.length, emails: v.emails.length };
}

