import { Spin } from 'antd';
import { useTranslation } from 'react-i18next';

/** A centred spinner for a page or section that is loading. */
export function Loading({ tip, height = 240 }: { tip?: string; height?: number }) {
  const { t } = useTranslation();
  return (
    <div style={{ display: 'flex', alignItems: 'center', justifyContent: 'center', minHeight: height }} aria-busy="true">
      <Spin tip={tip ?? t('common.loading')}>
        <div style={{ width: 120, height: 60 }} />
      </Spin>
    </div>
  );
}
