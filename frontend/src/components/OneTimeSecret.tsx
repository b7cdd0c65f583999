import { Alert, Typography } from 'antd';
import { useTranslation } from 'react-i18next';

/** A generated password shown once, copyable. */
export function OneTimeSecret({ email, password }: { email: string; password: string }) {
  const { t } = useTranslation();
  return (
    <Alert
      type="success"
      showIcon
      message={t('secret.title')}
      description={
        <div>
          <div>
            {t('fields.email')}：<Typography.Text copyable>{email}</Typography.Text>
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
