import { App, Button, Card, Col, Descriptions, Form, Input, Row, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation } from 'urql';
import { useErrorText } from '../api/useErrorText';
import { useMe } from '../auth/session';
import { LangSwitch } from '../components/LangSwitch';
import { PageHead } from '../components/PageHead';
import { ruleOf } from '../components/rules';
import { graphql } from '../gql';
import * as v from '../lib/validation';

const ChangePasswordDocument = graphql(`
  mutation ChangePassword($currentPassword: String!, $newPassword: String!) {
    changePassword(currentPassword: $currentPassword, newPassword: $newPassword)
  }
`);

/** The account: details, language (for mails too), password. */
export default function ProfilePage() {
  const { t } = useTranslation();
  const me = useMe();
  const { message } = App.useApp();
  const errorText = useErrorText();
  const [form] = Form.useForm();
  const [state, change] = useMutation(ChangePasswordDocument);
  const [error, setError] = useState<unknown>(null);

  const submit = async (f: { current: string; next: string }) => {
    setError(null);
    const r = await change({ currentPassword: f.current, newPassword: f.next });
    if (r.error) return setError(r.error);
    form.resetFields();
    message.success(t('profile.passwordChanged'));
  };

  return (
    <>
      <PageHead title={t('profile.title')} />
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Card title={t('profile.account')}>
            <Descriptions column={1} size="small">
              <Descriptions.Item label={t('fields.name')}>{me.name}</Descriptions.Item>
              <Descriptions.Item label={t('fields.email')}>{me.email}</Descriptions.Item>
              <Descriptions.Item label={t('fields.role')}>{t(`roles.${me.role}`)}</Descriptions.Item>
              {me.enterprise && <Descriptions.Item label={t('fields.enterpriseId')}>{me.enterprise.name}</Descriptions.Item>}
              {me.department && <Descriptions.Item label={t('fields.department')}>{me.department}</Descriptions.Item>}
              {me.phone && <Descriptions.Item label={t('fields.phone')}>{me.phone}</Descriptions.Item>}
              <Descriptions.Item label={t('fields.language')}>
                <LangSwitch signedIn type="default" />
              </Descriptions.Item>
            </Descriptions>
            <Typography.Paragraph type="secondary">{t('profile.languageHelp')}</Typography.Paragraph>
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={t('profile.changePassword')}>
            {error ? <Typography.Paragraph type="danger" role="alert">{errorText(error)}</Typography.Paragraph> : null}
            <Form form={form} layout="vertical" name="password" onFinish={submit}>
              <Form.Item name="current" label={t('fields.currentPassword')} rules={[{ required: true, message: t('validation.required') }]}>
                <Input.Password autoComplete="current-password" />
              </Form.Item>
              <Form.Item name="next" label={t('fields.newPassword')} rules={[ruleOf((x: string) => v.accountPassword(x ?? ''), t)]}>
                <Input.Password autoComplete="new-password" />
              </Form.Item>
              <Form.Item
                name="again"
                label={t('profile.repeat')}
                dependencies={['next']}
                rules={[
                  ({ getFieldValue }) => ({
                    validator: (_, x) => (x === getFieldValue('next') ? Promise.resolve() : Promise.reject(new Error(t('validation.passwordMismatch')))),
                  }),
                ]}
              >
                <Input.Password autoComplete="new-password" />
              </Form.Item>
              <Button type="primary" htmlType="submit" loading={state.fetching}>
                {t('profile.changePassword')}
              </Button>
            </Form>
          </Card>
        </Col>
      </Row>
    </>
  );
}
