// The form that changes the signed-in account's own password: current, new, new again.
// Used by the profile page and by the page a password set for the account leads to.
import { Alert, Button, Form, Input } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation } from 'urql';
import { useErrorText } from '../api/useErrorText';
import { graphql } from '../gql';
import * as v from '../lib/validation';
import { ruleOf } from './rules';

const ChangePasswordDocument = graphql(`
  mutation ChangePassword($currentPassword: String!, $newPassword: String!) {
    changePassword(currentPassword: $currentPassword, newPassword: $newPassword)
  }
`);

interface Fields {
  current: string;
  next: string;
  again: string;
}

/** Changes the password; onDone runs after the server accepted the new one. */
export function PasswordChangeForm({ onDone, currentLabel, block }: { onDone: () => void | Promise<void>; currentLabel?: string; block?: boolean }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [form] = Form.useForm<Fields>();
  const [state, change] = useMutation(ChangePasswordDocument);
  const [error, setError] = useState<unknown>(null);

  const submit = async (f: Fields) => {
    setError(null);
    const r = await change({ currentPassword: f.current, newPassword: f.next });
    if (r.error) return setError(r.error);
    form.resetFields();
    await onDone();
  };

  return (
    <Form<Fields> form={form} layout="vertical" name="password" onFinish={submit} requiredMark={false}>
      {error ? <Alert type="error" role="alert" showIcon style={{ marginBottom: 16 }} message={errorText(error)} /> : null}
      <Form.Item name="current" label={currentLabel ?? t('fields.currentPassword')} rules={[{ required: true, message: t('validation.required') }]}>
        <Input.Password autoComplete="current-password" />
      </Form.Item>
      <Form.Item
        name="next"
        label={t('fields.newPassword')}
        extra={t('profile.passwordRules')}
        dependencies={['current']}
        rules={[
          ruleOf((x: string) => v.accountPassword(x ?? ''), t),
          ({ getFieldValue }) => ({
            validator: (_, x) => (x && x === getFieldValue('current') ? Promise.reject(new Error(t('validation.passwordSame'))) : Promise.resolve()),
          }),
        ]}
      >
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
      <Button type="primary" htmlType="submit" loading={state.fetching} block={block}>
        {t('profile.changePassword')}
      </Button>
    </Form>
  );
}
