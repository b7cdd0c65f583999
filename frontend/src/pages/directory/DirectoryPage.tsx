import { Card, Tabs } from 'antd';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { PageHead } from '../../components/PageHead';
import { GroupsTab } from './GroupsTab';
import { ImportTab } from './ImportTab';
import { MembersTab } from './MembersTab';

/** Enterprise admins: the company directory (members, groups, import and export). */
export default function DirectoryPage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') ?? 'members';
  return (
    <>
      <PageHead title={t('directory.title')} sub={t('directory.sub')} />
      <Card>
        <Tabs
          activeKey={tab}
          onChange={(k) => setParams({ tab: k }, { replace: true })}
          destroyOnHidden
          items={[
            { key: 'members', label: t('directory.tabMembers'), children: <MembersTab /> },
            { key: 'groups', label: t('directory.tabGroups'), children: <GroupsTab /> },
            { key: 'import', label: t('directory.tabImport'), children: <ImportTab /> },
          ]}
        />
      </Card>
    </>
  );
}
