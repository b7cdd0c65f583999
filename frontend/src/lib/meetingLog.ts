// A meeting-log row's detail in words, in the user's language. The server stores codes
// (kind, detail, value; docs/api.md); web/logtext.go words them the same for the CSV.

/** The fields of a log row that carry codes. */
export interface LogCodes {
  kind: string;
  detail?: string | null;
  value?: string | null;
}

type T = (k: string, v?: Record<string, unknown>) => string;

/** The detail column, e.g. 更改角色：主讲人, Pinned: pane 3, 12 elements; '' when none. */
export function describeLogDetail(e: LogCodes, t: T): string {
  const d = e.detail ?? '';
  const what = !d
    ? ''
    : e.kind === 'control'
      ? t(`history.controls.${d}`, { defaultValue: d })
      : e.kind === 'ended'
        ? t(`history.endReasons.${d}`, { defaultValue: d })
        : d;
  const v = e.value ?? '';
  let arg = v;
  if (!v) arg = '';
  else if (e.kind === 'whiteboard_saved') arg = t('history.logValues.elements', { count: Number(v) });
  else if (d === 'role') arg = t(`history.logValues.roles.${v}`, { defaultValue: v });
  else if (d === 'pinned') arg = t('history.logValues.pane', { n: v });
  else if (d === 'muted_all') arg = t('history.logValues.muted', { count: Number(v) });
  else if (d === 'hands_lowered') arg = t('history.logValues.hands', { count: Number(v) });
  else if (d === 'layout_mode' && v === 'single') arg = t('history.logValues.single');
  else if (d === 'polling' && v !== 'off') arg = t('history.logValues.every', { n: v });
  else if (v === 'on' || v === 'off') arg = t(`history.logValues.${v}`); // self_unmute, mute_on_entry, live, recording, whiteboard, polling off
  if (!what) return arg;
  if (!arg) return what;
  return what + t('history.logValues.sep') + arg;
}
