import { Fragment, useCallback, useEffect, useState } from 'react';
import { ActionForm, ActionMessages } from '../components/action-messages.tsx';
import { Loading } from '../components/loading.tsx';
import { useAction } from '../components/use-action.ts';
import { api, type PasswordPolicy } from '../api.ts';
import { PASSWORD_RULE_BOUNDS, SYMBOL_SET_MAX } from '../../tenancy/password-rule-bounds.ts';

/** The rules a console user can change; the others ask for nothing here (no history, no expiry). */
type Rule = keyof typeof PASSWORD_RULE_BOUNDS;
const RULES: readonly [Rule, string][] = [
  ['minLength', 'Shortest password'],
  ['minUppercase', 'Upper-case letters, at least'],
  ['minLowercase', 'Lower-case letters, at least'],
  ['minNumbers', 'Digits, at least'],
  ['minSymbols', 'Symbols, at least'],
];

/**
 * The organization's password rules (`/organizations/password-policies`): every console
 * password set from now on must meet them. Organization administrators change them; anyone
 * may read them.
 */
export function PasswordRules() {
  const [policy, setPolicy] = useState<PasswordPolicy>();
  const { error, notice, act, load } = useAction();
  const reload = useCallback(
    () =>
      load(async () => {
        setPolicy((await api<PasswordPolicy>('GET', '/organizations/password-policies')).body);
      }),
    [load],
  );
  useEffect(() => {
    void reload();
  }, [reload]);

  if (!policy) return <Loading error={error} />;
  const save = () =>
    act(async () => {
      const { minLength, minUppercase, minLowercase, minNumbers, minSymbols, symbolCharacterSet } = policy;
      await api('PUT', '/organizations/password-policies', { minLength, minUppercase, minLowercase, minNumbers, minSymbols, symbolCharacterSet });
      return 'Password rules saved: passwords set from now on must meet them.';
    }, reload);
  const reset = () =>
    act(async () => {
      await api('DELETE', '/organizations/password-policies');
      return 'Password rules are back to their defaults.';
    }, reload);

  return (
    <>
      <h2>Password rules</h2>
      <p className="muted">Every console password set from now on must meet them. Passwords keep no history and do not expire.</p>
      <ActionMessages error={error} notice={notice} />
      <div className="bulk-forms">
        <ActionForm onSubmit={save}>
          {RULES.map(([rule, label]) => (
            <Fragment key={rule}>
              <label htmlFor={`rule-${rule}`}>{label}</label>
              <input
                id={`rule-${rule}`}
                type="number"
                min={PASSWORD_RULE_BOUNDS[rule].minimum}
                max={PASSWORD_RULE_BOUNDS[rule].maximum}
                value={policy[rule]}
                onChange={(e) => setPolicy({ ...policy, [rule]: Number(e.target.value) })}
                required
              />
            </Fragment>
          ))}
          <label htmlFor="rule-symbols">Characters that count as symbols</label>
          <input
            id="rule-symbols"
            value={policy.symbolCharacterSet}
            maxLength={SYMBOL_SET_MAX}
            onChange={(e) => setPolicy({ ...policy, symbolCharacterSet: e.target.value })}
            required
          />
          <div className="actions">
            <button type="submit" className="primary">
              Save rules
            </button>
            <button type="button" onClick={() => void reset()}>
              Back to the defaults
            </button>
          </div>
        </ActionForm>
      </div>
    </>
  );
}
