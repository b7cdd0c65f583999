import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { fmtDateTime } from '../lib/time';
import { describe, type DescribeOptions } from './errors';

/** A function that turns an error into a message in the user's language. */
export function useErrorText(): (err: unknown, opts?: DescribeOptions) => string {
  const { t } = useTranslation();
  return useCallback(
    (err, opts) => describe(err, (k, v) => t(k, v as Record<string, string>) as string, { formatTime: fmtDateTime, ...opts }),
    [t],
  );
}
