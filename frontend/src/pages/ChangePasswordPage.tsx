import { Alert, Button, Card, Typography, theme } from 'antd';
import { useTranslation } from 'react-i18next';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { useSession } from '../auth/session';
import { BrandMark } from '../components/BrandMark';
import { LangSwitch } from '../components/LangSwitch';
import { Loading } from '../components/Loading';
import { PasswordChangeForm } from '../components/PasswordChangeForm';
import { canVisit, homeFor } from '../layout/menu';
import './login.css';

/**
 * Where an account signed in with a password set for it (generated when it was
 * created, or reset by an admin) must choose its own before anything else: the
 * server refuses everything else until then (PASSWORD_CHANGE_REQUIRED).
 */
export default function ChangePasswordPage() {
  const { t } = useTranslation();
  const { me, refresh, logout } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const { token } = theme.useToken();
  const from = (location.state as { from?: string } | null)?.from;

  if (me === undefined) return <Loading height={400} />;
  if (me === null) return <Navigate to="/login" replace />;
  const target = from && canVisit(me.role, from) ? from : homeFor(me.role);
  if (!me.mustChangePassword) return <Navigate to={target} replace />;

  return (
    <div className="login-page" style={{ background: token.colorBgLayout }}>
      <main className="login-main">
        <div className="login-top">
          <LangSwitch />
        </div>
        <Card className="login-card" variant="borderless">
          <BrandMark size={36} />
          <Typography.Title level={3} style={{ marginTop: 8 }}>
            {t('firstPassword.title')}
          </Typography.Title>
          <Alert type="info" showIcon style={{ marginBottom: 16 }} message={t('firstPassword.why', { name: me.name })} />
          <PasswordChangeForm
            block
            currentLabel={t('firstPassword.current')}
            onDone={async () => {
              await refresh();
              navigate(target, { replace: true });
            }}
          />
          <div className="login-join">
            <Button type="link" onClick={() => void logout()}>
              {t('firstPassword.signOut')}
            </Button>
          </div>
        </Card>
      </main>
    </div>
  );
}
