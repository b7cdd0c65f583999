import { Button, Result } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useLocation } from 'react-router';
import { useErrorText } from '../api/useErrorText';
import { Loading } from '../components/Loading';
import type { Role } from '../gql/graphql';
import { useSession } from './session';

/** Renders children for a signed-in account (of one of the roles, when given), else sends to login. */
export function RequireAuth({ children, roles }: { children: ReactNode; roles?: Role[] }) {
  const { me, error, refresh } = useSession();
  const { t } = useTranslation();
  const errorText = useErrorText();
  const location = useLocation();
  if (me === undefined) return <Loading height={400} />;
  if (me === null) {
    if (error)
      return (
        <Result
          status="warning"
          title={t('errors.unavailableTitle')}
          subTitle={errorText(error)}
          extra={<Button type="primary" onClick={() => void refresh()}>{t('common.retry')}</Button>}
        />
      );
    return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  }
  // A password set for the account must be changed before anything else.
  if (me.mustChangePassword) return <Navigate to="/change-password" replace state={{ from: location.pathname + location.search }} />;
  if (roles && !roles.includes(me.role)) return <Forbidden />;
  return <>{children}</>;
}

export function Forbidden() {
  const { t } = useTranslation();
  return <Result status="403" title="403" subTitle={t('errors.forbiddenPage')} />;
}
