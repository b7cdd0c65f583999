import type { Rule } from 'antd/es/form';
import type { Problem } from '../lib/validation';

/** An antd Form rule from a validation check, with the message in the user's language. */
export function ruleOf<T>(check: (v: T) => Problem | null, t: (k: string, v?: Record<string, unknown>) => string): Rule {
  return {
    validator: (_, value: T) => {
      const p = check(value);
      return p ? Promise.reject(new Error(t(`validation.${p.key}`, p.values))) : Promise.resolve();
    },
  };
}
