import { Alert, Button } from 'antd';
import { useTranslation } from 'react-i18next';
import { useErrorText } from '../api/useErrorText';
import type { DescribeOptions } from '../api/errors';

/** A failed request, in the user's language, with a retry button when given one. */
export function ErrorAlert({ error, retry, opts, style }: { error: unknown; retry?: () => void; opts?: DescribeOptions; style?: React.CSSProperties }) {
  const { t } = useTranslation();
  const text = useErrorText();
  if (!error) return null;
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      style={style}
      message={text(error, opts)}
      action={
        retry ? (
          <Button size="small" onClick={retry}>
            {t('common.retry')}
          </Button>
        ) : undefined
      }
    />
  );
}
