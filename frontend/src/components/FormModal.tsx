import { Modal, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useErrorText } from '../api/useErrorText';

/**
 * The create/edit dialog of the management pages: Save submits (onOk, usually
 * form.submit()), Cancel closes, Save spins while busy, and a failed save shows its
 * error, in the user's language, above the form.
 */
export function FormModal({
  title,
  busy,
  error,
  onOk,
  onClose,
  width,
  children,
}: {
  title: React.ReactNode;
  busy: boolean;
  error: unknown;
  onOk: () => void;
  onClose: () => void;
  width?: number;
  children: React.ReactNode;
}) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  return (
    <Modal
      open
      title={title}
      onCancel={() => onClose()}
      onOk={onOk}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      destroyOnHidden
      width={width}
    >
      {error ? (
        <Typography.Paragraph type="danger" role="alert">
          {errorText(error)}
        </Typography.Paragraph>
      ) : null}
      {children}
    </Modal>
  );
}
