import { Alert, Typography } from 'antd';
import { useTranslation } from 'react-i18next';

/** A generated password shown once, copyable, with the sign-in name (an email or a phone number). */
export function OneTimeSecret({ login, password }: { login: string; password: string }) {
  const { t } = useTranslation();
  return (
    <Alert
      type="success"
      showIcon
      message={t('secret.title')}
      description={
        <div>
          <div>
            {t('secret.login')}：<Typography.Text copyable>{login}</Typography.Text>
          </div>
          <div>
            {t('secret.password')}：
            <Typography.Text code copyable data-testid="generated-password">
              {password}
            </Typography.Text>
          </div>
          <Typography.Text type="secondary">{t('secret.once')}</Typography.Text>
        </div>
      }
    />
  );
}
