import { App, Card, Col, Descriptions, Row, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useMe } from '../auth/session';
import { LangSwitch } from '../components/LangSwitch';
import { PageHead } from '../components/PageHead';
import { PasswordChangeForm } from '../components/PasswordChangeForm';

/** The account: details, language (for mails too), password. */
export default function ProfilePage() {
  const { t } = useTranslation();
  const me = useMe();
  const { message } = App.useApp();

  return (
    <>
      <PageHead title={t('profile.title')} />
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Card title={t('profile.account')}>
            <Descriptions column={1} size="small">
              <Descriptions.Item label={t('fields.name')}>{me.name}</Descriptions.Item>
              {me.email ? <Descriptions.Item label={t('fields.email')}>{me.email}</Descriptions.Item> : null}
              <Descriptions.Item label={t('fields.role')}>{t(`roles.${me.role}`)}</Descriptions.Item>
              {me.enterprise ? <Descriptions.Item label={t('fields.enterpriseId')}>{me.enterprise.name}</Descriptions.Item> : null}
              {me.department ? <Descriptions.Item label={t('fields.department')}>{me.department}</Descriptions.Item> : null}
              {me.phone ? <Descriptions.Item label={t('fields.phone')}>{me.phone}</Descriptions.Item> : null}
              <Descriptions.Item label={t('fields.language')}>
                <LangSwitch signedIn type="default" />
              </Descriptions.Item>
            </Descriptions>
            <Typography.Paragraph type="secondary">{t('profile.languageHelp')}</Typography.Paragraph>
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={t('profile.changePassword')}>
            <PasswordChangeForm onDone={() => void message.success(t('profile.passwordChanged'))} />
          </Card>
        </Col>
      </Row>
    </>
  );
}
