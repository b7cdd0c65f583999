// A raised hand (举手), drawn inline: Ant Design has no hand icon, and an emoji needs a
// font that many machines lack. The path is Material Design's "pan_tool" (Apache 2.0).
import Icon from '@ant-design/icons';
import type { GetProps } from 'antd';

const Hand = () => (
  <svg viewBox="0 0 24 24" width="1em" height="1em" fill="currentColor" aria-hidden="true">
    <path d="M23 5.5V20c0 2.2-1.8 4-4 4h-7.3c-1.08 0-2.1-.43-2.85-1.19L1 14.83s1.26-1.23 1.3-1.25c.22-.19.49-.29.79-.29.22 0 .42.06.6.16.04.01 4.31 2.46 4.31 2.46V4c0-.83.67-1.5 1.5-1.5S11 3.17 11 4v7h1V1.5c0-.83.67-1.5 1.5-1.5S15 .67 15 1.5V11h1V2.5c0-.83.67-1.5 1.5-1.5s1.5.67 1.5 1.5V11h1V5.5c0-.83.67-1.5 1.5-1.5s1.5.67 1.5 1.5z" />
  </svg>
);

export function HandIcon(props: Partial<GetProps<typeof Icon>>) {
  return <Icon component={Hand} {...props} />;
}
