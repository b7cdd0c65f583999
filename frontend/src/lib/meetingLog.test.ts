import i18n from 'i18next';
import { describe, expect, it } from 'vitest';
import { en } from '../i18n/en';
import { zhCN } from '../i18n/zh-CN';
import { describeLogDetail } from './meetingLog';

await i18n.init({ resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } }, lng: 'zh-CN', interpolation: { escapeValue: false }, showSupportNotice: false });
const zh = (k: string, v?: Record<string, unknown>) => i18n.getFixedT('zh-CN')(k, v as never) as unknown as string;
const enT = (k: string, v?: Record<string, unknown>) => i18n.getFixedT('en')(k, v as never) as unknown as string;

describe('describeLogDetail', () => {
  it('words the codes in Chinese', () => {
    expect(describeLogDetail({ kind: 'control', detail: 'role', value: 'presenter' }, zh)).toBe('更改角色：主讲人');
    expect(describeLogDetail({ kind: 'control', detail: 'pinned', value: '3' }, zh)).toBe('固定画面：画面 3');
    expect(describeLogDetail({ kind: 'control', detail: 'muted_all', value: '2' }, zh)).toBe('全体静音：2 人');
    expect(describeLogDetail({ kind: 'control', detail: 'self_unmute', value: 'on' }, zh)).toBe('允许自行解除静音：开');
    expect(describeLogDetail({ kind: 'control', detail: 'layout_mode', value: '2x2' }, zh)).toBe('切换布局：2x2');
    expect(describeLogDetail({ kind: 'control', detail: 'hung_up' }, zh)).toBe('挂断参会人');
    expect(describeLogDetail({ kind: 'control', detail: 'polling', value: '30' }, zh)).toBe('轮询设置：每 30 秒');
    expect(describeLogDetail({ kind: 'control', detail: 'polling', value: 'off' }, zh)).toBe('轮询设置：关');
    expect(describeLogDetail({ kind: 'control', detail: 'hand_raised' }, zh)).toBe('举手');
    expect(describeLogDetail({ kind: 'control', detail: 'hand_lowered' }, zh)).toBe('手放下');
    expect(describeLogDetail({ kind: 'control', detail: 'hands_lowered', value: '2' }, zh)).toBe('全部放下举手：2 人');
    expect(describeLogDetail({ kind: 'control', detail: 'recording', value: 'off' }, zh)).toBe('录制：关');
    expect(describeLogDetail({ kind: 'whiteboard_saved', value: '12' }, zh)).toBe('12 个元素');
    expect(describeLogDetail({ kind: 'ended', detail: 'window' }, zh)).toBe('到时自动结束');
    expect(describeLogDetail({ kind: 'screen_started' }, zh)).toBe('');
    expect(zh('history.kinds.screen_started')).toBe('开始共享屏幕');
  });
  it('and in English', () => {
    expect(describeLogDetail({ kind: 'control', detail: 'role', value: 'presenter' }, enT)).toBe('Role changed: Presenter');
    expect(describeLogDetail({ kind: 'control', detail: 'layout_mode', value: 'single' }, enT)).toBe('Layout changed: Single');
    expect(describeLogDetail({ kind: 'whiteboard_saved', value: '12' }, enT)).toBe('12 element(s)');
    expect(describeLogDetail({ kind: 'control', detail: 'polling', value: '30' }, enT)).toBe('Polling: every 30 s');
    expect(describeLogDetail({ kind: 'control', detail: 'hands_lowered', value: '2' }, enT)).toBe('Lowered all hands: 2 hand(s)');
    expect(describeLogDetail({ kind: 'control', detail: 'hand_raised' }, enT)).toBe('Raised hand');
    expect(enT('history.kinds.screen_stopped')).toBe('Stopped screen share');
  });
});
