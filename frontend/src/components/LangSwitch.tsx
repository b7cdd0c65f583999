import { GlobalOutlined } from '@ant-design/icons';
import { Button, Dropdown } from 'antd';
import { useTranslation } from 'react-i18next';
import { useClient } from 'urql';
import { graphql } from '../gql';
import { setLang, type Lang } from '../i18n';

const SetLanguageDocument = graphql(`
  mutation SetLanguage($language: String!) {
    setLanguage(language: $language) {
      id
      language
    }
  }
`);

/** Switches the interface language; when signed in, mails and notices follow. */
export function LangSwitch({ signedIn = false, type = 'text' }: { signedIn?: boolean; type?: 'text' | 'default' }) {
  const { t, i18n } = useTranslation();
  const client = useClient();
  const choose = (lang: Lang) => {
    void setLang(lang);
    if (signedIn) void client.mutation(SetLanguageDocument, { language: lang }).toPromise();
  };
  return (
    <Dropdown
      trigger={['click']}
      menu={{
        selectable: true,
        selectedKeys: [i18n.language],
        items: [
          { key: 'zh-CN', label: '简体中文' },
          { key: 'en', label: 'English' },
        ],
        onClick: ({ key }) => choose(key as Lang),
      }}
    >
      <Button type={type} icon={<GlobalOutlined aria-hidden />} aria-label={t('common.language')}>
        {i18n.language === 'en' ? 'English' : '简体中文'}
      </Button>
    </Dropdown>
  );
}
