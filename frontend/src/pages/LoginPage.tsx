import { LockOutlined, UserOutlined, VideoCameraAddOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Form, Input, Typography, theme } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, useLocation, useNavigate } from 'react-router';
import { useErrorText } from '../api/useErrorText';
import { useSession } from '../auth/session';
import { useBrand } from '../branding/brand';
import { BrandMark } from '../components/BrandMark';
import { LangSwitch } from '../components/LangSwitch';
import { canVisit, homeFor } from '../layout/menu';
import { ruleOf } from '../components/rules';
import { signInProblem } from '../lib/validation';
import './login.css';

interface LoginForm {
  /** An email or a phone number. */
  account: string;
  password: string;
}

/** Sign-in, branded by the domain the app was opened on. */
export default function LoginPage() {
  const { t } = useTranslation();
  const { me, login, expired } = useSession();
  const brand = useBrand();
  const errorText = useErrorText();
  const navigate = useNavigate();
  const location = useLocation();
  const { token } = theme.useToken();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const from = (location.state as { from?: string } | null)?.from;

  const target = (role: Parameters<typeof homeFor>[0]) => (from && canVisit(role, from) ? from : homeFor(role));
  if (me) return <Navigate to={target(me.role)} replace />;

  const submit = async (v: LoginForm) => {
    setBusy(true);
    setError(null);
    try {
      const m = await login(v.account, v.password);
      navigate(target(m.role), { replace: true });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="login-page" style={{ background: token.colorBgLayout }}>
      <section
        className="login-hero"
        style={{ background: `linear-gradient(135deg, ${brand.primaryColor} 0%, ${shade(brand.primaryColor, -0.35)} 100%)` }}
      >
        <div className="login-hero-inner">
          <BrandMark size={44} inverse />
          <h1 className="login-slogan">{brand.slogan || t('login.defaultSlogan')}</h1>
          <p className="login-sub">{t('login.tagline')}</p>
        </div>
      </section>
      <main className="login-main">
        <div className="login-top">
          <LangSwitch />
        </div>
        <Card className="login-card" variant="borderless">
          <div className="login-card-brand">
            <BrandMark size={36} />
          </div>
          <Typography.Title level={3} style={{ marginTop: 8 }}>
            {t('login.title')}
          </Typography.Title>
          {expired && !error && <Alert type="info" showIcon message={t('login.expired')} style={{ marginBottom: 16 }} />}
          {error ? (
            <Alert
              type="error"
              role="alert"
              showIcon
              style={{ marginBottom: 16 }}
              message={errorText(error, { byCode: { UNAUTHENTICATED: 'login.failed' } })}
            />
          ) : null}
          <Form<LoginForm> layout="vertical" requiredMark={false} onFinish={submit} size="large" name="login">
            <Form.Item name="account" label={t('login.account')} rules={[ruleOf((x: string) => signInProblem(x ?? ''), t)]}>
              <Input prefix={<UserOutlined aria-hidden />} autoComplete="username" placeholder={t('login.accountPlaceholder')} autoFocus />
            </Form.Item>
            <Form.Item name="password" label={t('login.password')} rules={[{ required: true, message: t('validation.required') }]}>
              <Input.Password prefix={<LockOutlined aria-hidden />} autoComplete="current-password" />
            </Form.Item>
            <Button type="primary" htmlType="submit" block loading={busy}>
              {t('login.submit')}
            </Button>
          </Form>
          <div className="login-join">
            <Link to="/join">
              <VideoCameraAddOutlined aria-hidden /> {t('login.joinAsGuest')}
            </Link>
          </div>
        </Card>
        <footer className="login-footer">{t('login.footer')}</footer>
      </main>
    </div>
  );
}

/** Lightens (amount > 0) or darkens (amount < 0) a #rrggbb colour. */
function shade(hex: string, amount: number): string {
  const n = parseInt(hex.slice(1), 16);
  const ch = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((c) =>
    Math.round(amount < 0 ? c * (1 + amount) : c + (255 - c) * amount),
  );
  return `#${ch.map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}
