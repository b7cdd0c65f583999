import { DeleteOutlined, UploadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Col, ColorPicker, Form, Input, Row, Segmented, Select, Space, Typography, Upload } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery } from 'urql';
import { useErrorText } from '../../api/useErrorText';
import { useSession } from '../../auth/session';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { PageHead } from '../../components/PageHead';
import { graphql } from '../../gql';
import type { ThemeMode } from '../../gql/graphql';
import * as v from '../../lib/validation';

// The branding fields every document on this page reads back.
graphql(`
  fragment BrandingFields on Branding {
    primaryColor
    mode
    slogan
    logoUrl
    domains
  }
`);

const MyBrandingDocument = graphql(`
  query MyBranding {
    myEnterprise {
      id
      name
      branding {
        ...BrandingFields
      }
    }
  }
`);

const UpdateBrandingDocument = graphql(`
  mutation UpdateBranding($input: BrandingInput!) {
    updateBranding(input: $input) {
      id
      branding {
        ...BrandingFields
      }
    }
  }
`);

const UploadLogoDocument = graphql(`
  mutation UploadLogo($file: Upload!) {
    uploadLogo(file: $file) {
      id
      branding {
        ...BrandingFields
      }
    }
  }
`);

const RemoveLogoDocument = graphql(`
  mutation RemoveLogo {
    removeLogo {
      id
      branding {
        ...BrandingFields
      }
    }
  }
`);

const PRESETS = ['#1677ff', '#0958d9', '#13a8a8', '#389e0d', '#d4380d', '#c41d7f', '#722ed1', '#cf1322', '#d48806', '#262626'];

interface BrandForm {
  primaryColor: string;
  mode: ThemeMode;
  slogan: string;
  domains: string[];
}

/** Enterprise admins: theme colour and mode, logo, slogan and own domains; applied at once. */
export default function BrandingPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const errorText = useErrorText();
  const { refresh } = useSession();
  const [res, refetch] = useQuery({ query: MyBrandingDocument });
  const [saving, update] = useMutation(UpdateBrandingDocument);
  const [uploading, upload] = useMutation(UploadLogoDocument);
  const [, removeLogo] = useMutation(RemoveLogoDocument);
  const [form] = Form.useForm<BrandForm>();
  const [error, setError] = useState<unknown>(null);
  // A logo picked or removed is applied with the other fields, by 保存并应用.
  const [logo, setLogo] = useState<{ file: File; url: string } | 'remove' | null>(null);
  useEffect(() => () => {
    if (logo && logo !== 'remove') URL.revokeObjectURL(logo.url);
  }, [logo]);
  const color = Form.useWatch('primaryColor', form);
  const mode = Form.useWatch('mode', form);
  const slogan = Form.useWatch('slogan', form);
  const ent = res.data?.myEnterprise;

  // Fill the form once; later reloads (after a logo upload) must not undo unsaved edits.
  const filled = useRef(false);
  useEffect(() => {
    if (ent && !filled.current) {
      form.setFieldsValue({ ...ent.branding });
      filled.current = true;
    }
  }, [ent, form]);

  if (res.error && !ent) return <ErrorAlert error={res.error} retry={() => refetch({ requestPolicy: 'network-only' })} />;
  if (!ent) return <Loading />;

  const save = async (f: BrandForm) => {
    setError(null);
    if (logo === 'remove') {
      const r = await removeLogo({});
      if (r.error) return setError(r.error);
    } else if (logo) {
      const r = await upload({ file: logo.file });
      if (r.error) return setError(r.error);
    }
    setLogo(null);
    const r = await update({ input: { primaryColor: f.primaryColor, mode: f.mode, slogan: f.slogan.trim(), domains: f.domains.map((d) => d.trim().toLowerCase()) } });
    if (r.error) return setError(r.error);
    await refresh(); // the theme follows at once
    message.success(t('brandingPage.savedOk'));
  };

  // What the page shows as the logo: the one picked and not saved yet, else the saved one.
  const shownLogo = logo === 'remove' ? null : logo ? logo.url : ent.branding.logoUrl;

  const previewColor = typeof color === 'string' && !v.color(color) ? color : ent.branding.primaryColor;
  const dark = (mode ?? ent.branding.mode) === 'DARK';

  return (
    <>
      <PageHead title={t('brandingPage.title')} sub={t('brandingPage.sub')} />
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={14}>
          <Card>
            {error ? <Alert type="error" role="alert" showIcon message={errorText(error)} style={{ marginBottom: 16 }} /> : null}
            <Form<BrandForm> form={form} layout="vertical" name="branding" onFinish={save} initialValues={ent.branding}>
              <Form.Item label={t('brandingPage.logo')} extra={t('brandingPage.logoHelp')}>
                <Space wrap>
                  {shownLogo && (
                    <img src={shownLogo} alt={t('brandingPage.currentLogo')} style={{ height: 40, maxWidth: 200, objectFit: 'contain', border: '1px solid rgba(0,0,0,0.06)', borderRadius: 4, padding: 4 }} />
                  )}
                  <Upload
                    accept="image/png,image/jpeg,image/webp"
                    showUploadList={false}
                    beforeUpload={(f) => {
                      setLogo({ file: f, url: URL.createObjectURL(f) });
                      return false;
                    }}
                  >
                    <Button icon={<UploadOutlined aria-hidden />}>
                      {shownLogo ? t('brandingPage.replaceLogo') : t('brandingPage.uploadLogo')}
                    </Button>
                  </Upload>
                  {shownLogo && (
                    <Button icon={<DeleteOutlined aria-hidden />} onClick={() => setLogo(ent.branding.logoUrl ? 'remove' : null)}>
                      {t('brandingPage.removeLogo')}
                    </Button>
                  )}
                  {logo && (
                    <Typography.Text type="warning" data-testid="logo-pending">
                      {logo === 'remove' ? t('brandingPage.logoRemovePending') : t('brandingPage.logoPending')}
                    </Typography.Text>
                  )}
                </Space>
              </Form.Item>
              <Form.Item
                name="primaryColor"
                label={t('fields.primaryColor')}
                getValueFromEvent={(c: { toHexString: () => string }) => c.toHexString()}
                rules={[{ validator: (_, x: string) => (v.color(x) ? Promise.reject(new Error(t('validation.color'))) : Promise.resolve()) }]}
              >
                <ColorPicker showText disabledAlpha presets={[{ label: t('brandingPage.presets'), colors: PRESETS }]} />
              </Form.Item>
              <Form.Item name="mode" label={t('fields.mode')}>
                <Segmented
                  options={[
                    { value: 'LIGHT', label: t('brandingPage.light') },
                    { value: 'DARK', label: t('brandingPage.dark') },
                  ]}
                />
              </Form.Item>
              <Form.Item name="slogan" label={t('fields.slogan')} rules={[{ max: 100, message: t('validation.maxLength', { max: 100 }) }]}>
                <Input showCount maxLength={100} placeholder={t('login.defaultSlogan')} />
              </Form.Item>
              <Form.Item
                name="domains"
                label={t('fields.domains')}
                extra={t('brandingPage.domainsHelp')}
                rules={[
                  {
                    validator: (_, list: string[] = []) => {
                      const bad = list.filter((d) => v.domain(d));
                      return bad.length ? Promise.reject(new Error(`${t('validation.domain')}：${bad.join(', ')}`)) : Promise.resolve();
                    },
                  },
                ]}
              >
                <Select mode="tags" open={false} suffixIcon={null} tokenSeparators={[',', ' ', '，']} placeholder="meet.example.com" aria-label={t('fields.domains')} />
              </Form.Item>
              <Button type="primary" htmlType="submit" loading={saving.fetching || uploading.fetching}>
                {t('brandingPage.save')}
              </Button>
            </Form>
          </Card>
        </Col>
        <Col xs={24} lg={10}>
          <Card title={t('brandingPage.preview')}>
            <div
              style={{
                borderRadius: 8,
                overflow: 'hidden',
                border: '1px solid rgba(0,0,0,0.08)',
                display: 'flex',
                minHeight: 200,
              }}
              aria-label={t('brandingPage.preview')}
            >
              <div style={{ flex: 1, background: previewColor, color: '#fff', padding: 16 }}>
                {shownLogo ? (
                  <img src={shownLogo} alt="" style={{ height: 24, maxWidth: 120, objectFit: 'contain', background: '#fff', borderRadius: 4, padding: 2 }} />
                ) : (
                  <Typography.Text strong style={{ color: '#fff' }}>
                    {ent.name}
                  </Typography.Text>
                )}
                <div style={{ fontSize: 16, fontWeight: 600, marginTop: 24 }}>{slogan || t('login.defaultSlogan')}</div>
              </div>
              <div style={{ flex: 1, background: dark ? '#141414' : '#f5f5f5', padding: 16, display: 'flex', flexDirection: 'column', justifyContent: 'center', gap: 8 }}>
                <div style={{ height: 10, borderRadius: 4, background: dark ? '#333' : '#ddd' }} />
                <div style={{ height: 10, borderRadius: 4, background: dark ? '#333' : '#ddd' }} />
                <div style={{ height: 20, borderRadius: 4, background: previewColor }} />
              </div>
            </div>
            <Typography.Paragraph type="secondary" style={{ marginTop: 12 }}>
              {t('brandingPage.previewHelp')}
            </Typography.Paragraph>
          </Card>
        </Col>
      </Row>
    </>
  );
}
