import { ThunderboltOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Checkbox, Col, Form, Input, InputNumber, Row, Select, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useMutation } from 'urql';
import { useErrorText } from '../../api/useErrorText';
import { useMe } from '../../auth/session';
import { DirectoryPicker, emptyInvitees, type Invitees } from '../../components/DirectoryPicker';
import { PageHead } from '../../components/PageHead';
import { ruleOf } from '../../components/rules';
import { graphql } from '../../gql';
import { fmtDuration, localZone } from '../../lib/time';
import * as v from '../../lib/validation';
import { DURATIONS } from './bookingValues';
import { useParticipantsDefault } from './useParticipantsDefault';

const StartInstantDocument = graphql(`
  mutation StartInstantMeeting($input: InstantMeetingInput!) {
    startInstantMeeting(input: $input) {
      meeting {
        id
        number
        password
        name
      }
      run {
        id
      }
    }
  }
`);

interface InstantForm {
  name: string;
  invitees: Invitees;
  /** null: the server's default (see useParticipantsDefault). */
  participants: number | null;
  durationMinutes: number;
  muteOnEntry: boolean;
  record: boolean;
  live: boolean;
}

/** Start now: pick participants, they are notified and join with one click. */
export default function InstantPage() {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const navigate = useNavigate();
  const errorText = useErrorText();
  const [state, start] = useMutation(StartInstantDocument);
  const [error, setError] = useState<unknown>(null);
  const [form] = Form.useForm<InstantForm>();
  const fits = useParticipantsDefault(form, null);
  Form.useWatch('participants', form); // re-render so the hint follows the field

  const submit = async (f: InstantForm) => {
    setError(null);
    const r = await start({
      input: {
        name: f.name.trim(),
        memberIds: f.invitees.members.map((m) => m.id),
        groupIds: f.invitees.groupIds,
        emails: f.invitees.emails,
        participants: f.participants ?? null,
        durationMinutes: f.durationMinutes,
        timeZone: localZone(),
        options: { muteOnEntry: f.muteOnEntry, record: f.record, live: f.live },
        lang: i18n.language === 'en' ? 'en' : 'zh-CN',
      },
    }, { additionalTypenames: ['ScheduledMeeting', 'Meeting'] });
    if (r.error || !r.data) return setError(r.error);
    const m = r.data.startInstantMeeting.meeting;
    navigate(`/join/${m.number}`, { state: { password: m.password } });
  };

  return (
    <>
      <PageHead title={t('instant.title')} sub={t('instant.sub')} />
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={15}>
          <Card>
            {error ? <Alert type="error" showIcon role="alert" message={errorText(error)} style={{ marginBottom: 16 }} /> : null}
            <Form<InstantForm>
              form={form}
              layout="vertical"
              name="instant"
              onFinish={submit}
              initialValues={{
                name: t('instant.defaultName', { name: me.name }),
                invitees: emptyInvitees(),
                participants: null,
                durationMinutes: 60,
                muteOnEntry: false,
                record: false,
                live: false,
              }}
            >
              <Form.Item name="name" label={t('booking.name')} rules={[ruleOf((x: string) => v.text(x ?? '', 100), t)]}>
                <Input maxLength={100} />
              </Form.Item>
              <Form.Item name="invitees" label={t('instant.invitees')} extra={t('instant.inviteesHelp')}>
                <DirectoryPicker excludeIds={[me.id]} />
              </Form.Item>
              <Row gutter={16}>
                <Col xs={12}>
                  <Form.Item
                    name="participants"
                    label={t('fields.participants')}
                    extra={fits.hint}
                    rules={[ruleOf((x: number | null) => (x == null ? null : v.intInRange(x, 2, 10_000)), t)]}
                  >
                    <InputNumber min={2} max={10000} style={{ width: '100%' }} addonAfter={t('common.peopleUnit')} />
                  </Form.Item>
                </Col>
                <Col xs={12}>
                  <Form.Item name="durationMinutes" label={t('instant.reserve')}>
                    <Select options={DURATIONS.map((d) => ({ value: d, label: fmtDuration(d, t) }))} />
                  </Form.Item>
                </Col>
              </Row>
              <Form.Item label={t('booking.options')}>
                <Space wrap size={[24, 8]}>
                  {(['muteOnEntry', 'record', 'live'] as const).map((k) => (
                    <Form.Item key={k} name={k} valuePropName="checked" noStyle>
                      <Checkbox>{t(`booking.${k}`)}</Checkbox>
                    </Form.Item>
                  ))}
                </Space>
              </Form.Item>
              <Button type="primary" htmlType="submit" size="large" icon={<ThunderboltOutlined aria-hidden />} loading={state.fetching}>
                {t('instant.start')}
              </Button>
            </Form>
          </Card>
        </Col>
        <Col xs={24} lg={9}>
          <Card title={t('instant.howTitle')} size="small">
            <Typography.Paragraph>{t('instant.how1')}</Typography.Paragraph>
            <Typography.Paragraph>{t('instant.how2')}</Typography.Paragraph>
            <Typography.Paragraph type="secondary">{t('instant.how3')}</Typography.Paragraph>
          </Card>
        </Col>
      </Row>
    </>
  );
}
