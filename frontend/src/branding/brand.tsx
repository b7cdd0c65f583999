// The brand on screen: the signed-in enterprise's branding, or before login the
// branding of the domain the app was opened on (the anonymous `branding` query,
// chosen by the request's Host). It drives antd's theme and the page title.
import { App as AntApp, ConfigProvider, theme as antTheme } from 'antd';
import enUS from 'antd/es/locale/en_US';
import zhCN from 'antd/es/locale/zh_CN';
import { createContext, useContext, useEffect, useMemo, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useQuery } from 'urql';
import { graphql } from '../gql';
import type { ThemeMode } from '../gql/graphql';
import { useSession } from '../auth/session';

const PublicBrandingDocument = graphql(`
  query PublicBranding {
    branding {
      enterpriseName
      primaryColor
      mode
      slogan
      logoUrl
    }
  }
`);

export interface Brand {
  /** Enterprise name, or the product name. */
  name: string;
  primaryColor: string;
  mode: ThemeMode;
  slogan: string;
  logoUrl: string | null;
  /** Whether an enterprise's own brand is shown (not the platform's default). */
  custom: boolean;
}

export const DEFAULT_COLOR = '#1677ff';

const BrandContext = createContext<Brand | null>(null);

export function useBrand(): Brand {
  const b = useContext(BrandContext);
  if (!b) throw new Error('useBrand must be used inside <BrandProvider>');
  return b;
}

/** Validates a colour from the server before it reaches the theme. */
function safeColor(c: string | undefined | null): string {
  return c && /^#[0-9a-f]{6}$/i.test(c) ? c : DEFAULT_COLOR;
}

export function BrandProvider({ children }: { children: ReactNode }) {
  const { t, i18n } = useTranslation();
  const { me } = useSession();
  const [pub] = useQuery({ query: PublicBrandingDocument, requestPolicy: 'cache-first' });
  const ent = me?.enterprise;
  const brand = useMemo<Brand>(() => {
    if (ent) {
      return {
        name: ent.name,
        primaryColor: safeColor(ent.branding.primaryColor),
        mode: ent.branding.mode,
        slogan: ent.branding.slogan,
        logoUrl: ent.branding.logoUrl,
        custom: true,
      };
    }
    const p = pub.data?.branding;
    const product = t('app.name');
    return {
      name: p?.enterpriseName || product,
      primaryColor: safeColor(p?.primaryColor),
      mode: p?.mode ?? 'LIGHT',
      slogan: p?.slogan ?? '',
      logoUrl: p?.logoUrl ?? null,
      custom: !!p && p.enterpriseName !== product && p.enterpriseName !== '及时通',
    };
  }, [ent, pub.data, t]);

  useEffect(() => {
    document.title = brand.custom ? `${brand.name} · ${t('app.name')}` : t('app.name');
    document.querySelector('meta[name="theme-color"]')?.setAttribute('content', brand.primaryColor);
  }, [brand, t]);

  const dark = brand.mode === 'DARK';
  return (
    <BrandContext.Provider value={brand}>
      <ConfigProvider
        locale={i18n.language === 'en' ? enUS : zhCN}
        theme={{
          algorithm: dark ? antTheme.darkAlgorithm : antTheme.defaultAlgorithm,
          token: { colorPrimary: brand.primaryColor, colorLink: brand.primaryColor, colorInfo: brand.primaryColor, borderRadius: 6 },
        }}
      >
        <AntApp>{children}</AntApp>
      </ConfigProvider>
    </BrandContext.Provider>
  );
}
