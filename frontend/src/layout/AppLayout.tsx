import {
  AppstoreOutlined,
  BankOutlined,
  BgColorsOutlined,
  CalendarOutlined,
  ClusterOutlined,
  DashboardOutlined,
  HistoryOutlined,
  LoginOutlined,
  LogoutOutlined,
  MenuOutlined,
  PlusCircleOutlined,
  TeamOutlined,
  ThunderboltOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { App, Avatar, Button, Drawer, Dropdown, Grid, Layout, Menu, Space, theme, Typography } from 'antd';
import type { MenuProps } from 'antd';
import { Suspense, useMemo, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Outlet, useLocation, useNavigate } from 'react-router';
import { useMe, useSession } from '../auth/session';
import { useBrand } from '../branding/brand';
import { BrandMark } from '../components/BrandMark';
import { LangSwitch } from '../components/LangSwitch';
import { Loading } from '../components/Loading';
import { activeEntry, menuFor, type MenuKey } from './menu';
import { Notifications } from './Notifications';
import './layout.css';

const ICONS: Record<MenuKey, ReactNode> = {
  schedule: <CalendarOutlined aria-hidden />,
  book: <PlusCircleOutlined aria-hidden />,
  instant: <ThunderboltOutlined aria-hidden />,
  join: <LoginOutlined aria-hidden />,
  history: <HistoryOutlined aria-hidden />,
  resources: <DashboardOutlined aria-hidden />,
  directory: <TeamOutlined aria-hidden />,
  rooms: <AppstoreOutlined aria-hidden />,
  branding: <BgColorsOutlined aria-hidden />,
  enterprises: <BankOutlined aria-hidden />,
};

/** The signed-in frame: menu by role (a drawer on phones), header with account menu. */
export default function AppLayout() {
  const { t } = useTranslation();
  const me = useMe();
  const { logout } = useSession();
  const { modal } = App.useApp();
  const navigate = useNavigate();
  const location = useLocation();
  const screens = Grid.useBreakpoint();
  const mobile = !screens.md;
  const [collapsed, setCollapsed] = useState(false);
  const [drawer, setDrawer] = useState(false);
  const { token } = theme.useToken();
  const brand = useBrand();

  const items = useMemo<MenuProps['items']>(() => {
    const entries = menuFor(me.role);
    const groups: { key: string; label: string }[] = [
      { key: 'meetings', label: t('menu.groupMeetings') },
      { key: 'manage', label: t('menu.groupManage') },
      { key: 'platform', label: t('menu.groupPlatform') },
    ];
    return groups
      .map((g) => ({
        type: 'group' as const,
        key: g.key,
        label: g.label,
        children: entries.filter((e) => e.group === g.key).map((e) => ({ key: e.path, icon: ICONS[e.key], label: t(e.label) })),
      }))
      .filter((g) => g.children.length > 0);
  }, [me.role, t]);

  const selected = activeEntry(me.role, location.pathname)?.path;
  const go: MenuProps['onClick'] = ({ key }) => {
    navigate(key);
    setDrawer(false);
  };
  const menu = <Menu mode="inline" items={items} selectedKeys={selected ? [selected] : []} onClick={go} style={{ borderInlineEnd: 0 }} />;

  const confirmLogout = () =>
    modal.confirm({
      title: t('account.logoutConfirm'),
      okText: t('account.logout'),
      cancelText: t('common.cancel'),
      onOk: async () => {
        await logout();
        navigate('/login', { replace: true });
      },
    });

  const roleLabel = t(`roles.${me.role}`);
  return (
    <Layout style={{ minHeight: '100vh' }}>
      {!mobile && (
        <Layout.Sider
          collapsible
          collapsed={collapsed}
          onCollapse={setCollapsed}
          width={220}
          theme="light"
          style={{ borderInlineEnd: `1px solid ${token.colorSplit}` }}
          aria-label={t('menu.label')}
        >
          <div className="app-logo" onClick={() => navigate('/')} role="link" tabIndex={0} onKeyDown={(e) => e.key === 'Enter' && navigate('/')}>
            {/* A logo usually carries the name; the header shows the enterprise's name anyway. */}
            <BrandMark size={28} showName={!collapsed && !brand.logoUrl} />
          </div>
          <nav>{menu}</nav>
        </Layout.Sider>
      )}
      {mobile && (
        <Drawer
          placement="left"
          open={drawer}
          onClose={() => setDrawer(false)}
          width={260}
          title={<BrandMark size={24} />}
          styles={{ body: { padding: 0 } }}
        >
          <nav aria-label={t('menu.label')}>{menu}</nav>
        </Drawer>
      )}
      <Layout>
        <Layout.Header className="app-header" style={{ background: token.colorBgContainer, borderBottom: `1px solid ${token.colorSplit}` }}>
          <Space>
            {mobile && <Button type="text" icon={<MenuOutlined aria-hidden />} aria-label={t('menu.open')} onClick={() => setDrawer(true)} />}
            {mobile && <BrandMark size={24} showName={false} />}
            {!mobile && me.enterprise && (
              <Typography.Text type="secondary">
                <ClusterOutlined aria-hidden /> {me.enterprise.name}
              </Typography.Text>
            )}
          </Space>
          <Space size={mobile ? 0 : 'small'}>
            {me.enterprise && <Notifications />}
            <LangSwitch signedIn />
            <Dropdown
              trigger={['click']}
              menu={{
                items: [
                  { key: 'who', disabled: true, label: <span>{me.email || me.phone}<br /><small>{roleLabel}</small></span> },
                  { type: 'divider' },
                  { key: 'profile', icon: <UserOutlined aria-hidden />, label: t('account.profile') },
                  { key: 'logout', icon: <LogoutOutlined aria-hidden />, label: t('account.logout'), danger: true },
                ],
                onClick: ({ key }) => (key === 'profile' ? navigate('/profile') : key === 'logout' ? confirmLogout() : undefined),
              }}
            >
              <Button type="text" aria-label={t('account.menu')} style={{ height: 40 }}>
                <Space>
                  <Avatar size="small" style={{ background: token.colorPrimary }}>
                    {me.name.slice(0, 1).toUpperCase()}
                  </Avatar>
                  {!mobile && <span>{me.name}</span>}
                </Space>
              </Button>
            </Dropdown>
          </Space>
        </Layout.Header>
        <Layout.Content className="app-content" id="main" tabIndex={-1}>
          <Suspense fallback={<Loading />}>
            <Outlet />
          </Suspense>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
