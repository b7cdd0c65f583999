// The host's dialogs: polling (轮询) settings and inviting more people.
import { App, Checkbox, Form, InputNumber, Modal, Select, Switch } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DirectoryPicker, emptyInvitees, type Invitees } from '../components/DirectoryPicker';
import type { MeetingState } from '../gql/schema';
import type { Controls } from './controls';

export function PollingDialog({ open, onClose, meeting, controls, paneCount }: { open: boolean; onClose: () => void; meeting: MeetingState; controls: Controls; paneCount: number }) {
  const { t } = useTranslation(undefined, { keyPrefix: 'room' });
  const [enabled, setEnabled] = useState(meeting.polling.enabled);
  const [interval, setIntervalS] = useState<number>(meeting.polling.intervalSeconds || 10);
  const [panes, setPanes] = useState<number[]>(meeting.polling.panes.length ? meeting.polling.panes : [Math.max(0, paneCount - 1)]);
  const [who, setWho] = useState<string[]>(meeting.polling.participantIds);
  const [skip, setSkip] = useState(meeting.polling.skipNoVideo);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!open) return;
    setEnabled(meeting.polling.enabled);
    setIntervalS(meeting.polling.intervalSeconds || 10);
    setPanes(meeting.polling.panes.length ? meeting.polling.panes : [Math.max(0, paneCount - 1)]);
    setWho(meeting.polling.participantIds);
    setSkip(meeting.polling.skipNoVideo);
    // Reset when opened.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open]);
  const apply = async () => {
    setBusy(true);
    const ok = await controls.setPolling(enabled ? { enabled, intervalSeconds: interval, panes, participantIds: who, skipNoVideo: skip } : { enabled: false });
    setBusy(false);
    if (ok) onClose();
  };
  return (
    <Modal open={open} title={t('polling.title')} onCancel={onClose} onOk={apply} okText={t('polling.apply')} cancelText={t('common.cancel')} confirmLoading={busy} destroyOnHidden>
      <Form layout="vertical">
        <Form.Item label={t('polling.enabled')}>
          <Switch checked={enabled} onChange={setEnabled} aria-label={t('polling.enabled')} />
        </Form.Item>
        <Form.Item label={t('polling.interval')} htmlFor="poll-interval">
          <InputNumber id="poll-interval" min={5} max={300} value={interval} onChange={(v) => setIntervalS(Number(v ?? 10))} disabled={!enabled} />
        </Form.Item>
        <Form.Item label={t('polling.panes')} htmlFor="poll-panes">
          <Select
            id="poll-panes"
            mode="multiple"
            disabled={!enabled}
            value={panes}
            onChange={setPanes}
            options={Array.from({ length: paneCount }, (_, i) => ({ value: i, label: t('polling.pane', { n: i + 1 }) }))}
          />
        </Form.Item>
        <Form.Item label={t('polling.participants')} extra={t('polling.participantsHint')} htmlFor="poll-who">
          <Select id="poll-who" mode="multiple" disabled={!enabled} value={who} onChange={setWho} optionFilterProp="label" options={meeting.participants.map((p) => ({ value: p.id, label: p.name }))} />
        </Form.Item>
        <Checkbox checked={skip} onChange={(e) => setSkip(e.target.checked)} disabled={!enabled}>
          {t('polling.skipNoVideo')}
        </Checkbox>
      </Form>
    </Modal>
  );
}

export function InviteDialog({ open, onClose, controls }: { open: boolean; onClose: () => void; controls: Controls }) {
  const { t } = useTranslation(undefined, { keyPrefix: 'room' });
  const { message } = App.useApp();
  const [value, setValue] = useState<Invitees>(emptyInvitees());
  const [busy, setBusy] = useState(false);
  const empty = !value.members.length && !value.groupIds.length && !value.emails.length;
  const send = async () => {
    setBusy(true);
    const ok = await controls.invite({ memberIds: value.members.map((m) => m.id), groupIds: value.groupIds, emails: value.emails });
    setBusy(false);
    if (ok) {
      void message.success(t('invite.sent'));
      setValue(emptyInvitees());
      onClose();
    }
  };
  return (
    <Modal open={open} title={t('invite.title')} onCancel={onClose} onOk={send} okText={t('invite.send')} cancelText={t('common.cancel')} okButtonProps={{ disabled: empty }} confirmLoading={busy} destroyOnHidden>
      <DirectoryPicker value={value} onChange={setValue} />
    </Modal>
  );
}
