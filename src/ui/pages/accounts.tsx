import { useCallback, useEffect, useState } from 'react';
import { useTitle } from '../components/page-title.ts';
import { When } from '../components/when.tsx';
import { Loading } from '../components/loading.tsx';
import { Secret } from '../components/secret.tsx';
import { useAction } from '../components/use-action.ts';
import { ActionForm, ActionMessages } from '../components/action-messages.tsx';
import { api, type Account, type AccountSettings, type User } from '../api.ts';
import { PasswordRules } from './password-rules.tsx';

const POLICY = 'notification.webhook.failure.policy';
type Policy = AccountSettings[typeof POLICY];

/** One account's users, its new-user form and its failure policy. */
function AccountUsers({ account }: { account: Account }) {
  const [users, setUsers] = useState<User[]>();
  const [policy, setPolicy] = useState<Policy>();
  const [email, setEmail] = useState('');
  const [firstName, setFirstName] = useState('');
  const [lastName, setLastName] = useState('');
  const [password, setPassword] = useState('');
  const [admin, setAdmin] = useState(false);
  const [made, setMade] = useState<User>();
  const { error, notice, act, load } = useAction();

  const reload = useCallback(
    () =>
      load(async () => {
        const [list, settings] = await Promise.all([
          api<User[]>('GET', `/accounts/${account.id}/users`),
          api<AccountSettings>('GET', `/accounts/${account.id}/settings`),
        ]);
        setUsers(list.body);
        setPolicy(settings.body[POLICY]);
      }),
    [account.id, load],
  );
  useEffect(() => {
    void reload();
  }, [reload]);

  if (!users || !policy) return <Loading error={error} />;
  const create = () =>
    act(async () => {
      const user = await api<User>('POST', `/accounts/${account.id}/users`, {
        email,
        firstName,
        lastName,
        ...(password && { password }),
        ...(admin && { roles: ['admin'] }),
      });
      setMade(user.body);
      setEmail('');
      setPassword('');
      return `User ${user.body.email} made.`;
    }, reload);

  return (
    <>
      <h2>Users of {account.name}</h2>
      <ActionMessages error={error} notice={notice} />
      {made?.secret && <Secret id="new-user-secret" label={`User secret of ${made.email}`} value={made.secret} />}
      <div className="bulk-forms">
        <ActionForm onSubmit={create}>
          <h3>New user</h3>
          <label htmlFor="user-email">E-mail</label>
          <input id="user-email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
          <label htmlFor="user-first">First name</label>
          <input id="user-first" value={firstName} onChange={(e) => setFirstName(e.target.value)} />
          <label htmlFor="user-last">Last name</label>
          <input id="user-last" value={lastName} onChange={(e) => setLastName(e.target.value)} />
          <label htmlFor="user-password">Console password (optional)</label>
          <input id="user-password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
          <div className="field checkbox">
            <input id="user-admin" type="checkbox" checked={admin} onChange={(e) => setAdmin(e.target.checked)} />
            <label htmlFor="user-admin">Administrator of this account</label>
          </div>
          <button type="submit" className="primary">
            Make user
          </button>
        </ActionForm>
        <form onSubmit={(e) => e.preventDefault()}>
          <h3>Settings</h3>
          <label htmlFor="account-policy">A notification that cannot be delivered is</label>
          <select
            id="account-policy"
            value={policy}
            onChange={(e) => {
              const value = e.target.value as Policy;
              void act(async () => {
                await api('PATCH', `/accounts/${account.id}/settings`, { [POLICY]: value });
                return value === 'queue' ? 'Failed notifications now wait, queued, until sent again.' : 'Failed notifications are now retried.';
              }, reload);
            }}
          >
            <option value="retry">retried, up to 9 attempts</option>
            <option value="queue">queued until sent again</option>
          </select>
        </form>
      </div>
      {users.length === 0 ? (
        <p className="muted">No users in this account yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>User</th>
              <th>Roles</th>
              <th>State</th>
              <th>Made</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id}>
                <td>
                  {u.email}
                  {u.fullName.trim() && <div className="muted">{u.fullName}</div>}
                </td>
                <td>{u.roles.map((r) => r.key).join(', ') || <span className="muted">none</span>}</td>
                <td>
                  <span className={`badge ${u.active ? 'valid' : 'disabled'}`}>{u.active ? 'active' : 'inactive'}</span>
                </td>
                <td>
                  <When iso={u.createdDate} />
                </td>
                <td>
                  <div className="actions">
                    <button
                      type="button"
                      aria-label={`${u.active ? 'Deactivate' : 'Activate'} ${u.email}`}
                      onClick={() =>
                        act(async () => {
                          await api('PATCH', `/users/${u.id}`, { active: !u.active });
                          return u.active ? `${u.email} is deactivated: their secret and password no longer work.` : `${u.email} is active again.`;
                        }, reload)
                      }
                    >
                      {u.active ? 'Deactivate' : 'Activate'}
                    </button>
                    <button
                      type="button"
                      className="danger"
                      aria-label={`Delete ${u.email}`}
                      onClick={() =>
                        window.confirm(`Delete the user ${u.email}, with the instances they made?`) &&
                        act(async () => {
                          await api('DELETE', `/users/${u.id}`);
                          return `${u.email} deleted.`;
                        }, reload)
                      }
                    >
                      Delete
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

/**
 * The organization's accounts (`#/accounts`): make, deactivate and delete them, see, add,
 * deactivate and delete the users of each (their secrets shown once when made), set each
 * account's notification failure policy, and the organization's password rules.
 */
export function AccountsPage() {
  useTitle('Accounts');
  const [accounts, setAccounts] = useState<Account[]>();
  const [selected, setSelected] = useState<number>();
  const [name, setName] = useState('');
  const [externalId, setExternalId] = useState('');
  const { error, notice, act, load } = useAction();

  const reload = useCallback(
    () =>
      load(async () => {
        const list = (await api<Account[]>('GET', '/accounts?pageSize=1000')).body;
        setAccounts(list);
        setSelected((current) => current ?? list.find((a) => a.defaultAccount)?.id ?? list[0]?.id);
      }),
    [load],
  );
  useEffect(() => {
    void reload();
  }, [reload]);

  if (!accounts) return <Loading error={error} />;
  const account = accounts.find((a) => a.id === selected);
  const create = () =>
    act(async () => {
      const made = await api<Account>('POST', '/accounts', { name, externalId: externalId || name });
      setSelected(made.body.id);
      setName('');
      setExternalId('');
      return `Account ${made.body.name} made.`;
    }, reload);

  return (
    <section>
      <h1>Accounts</h1>
      <p className="muted">
        An account groups users and their instances. A user outside the default account sees only their own account's instances, events, jobs and notifications.
      </p>
      <ActionMessages error={error} notice={notice} />
      <div className="bulk-forms">
        <ActionForm onSubmit={create}>
          <h2>New account</h2>
          <label htmlFor="account-name">Name</label>
          <input id="account-name" value={name} onChange={(e) => setName(e.target.value)} required />
          <label htmlFor="account-external">External id (your own key for it; the name if left empty)</label>
          <input id="account-external" value={externalId} onChange={(e) => setExternalId(e.target.value)} />
          <button type="submit" className="primary">
            Make account
          </button>
        </ActionForm>
      </div>
      <table>
        <thead>
          <tr>
            <th>Account</th>
            <th>External id</th>
            <th>State</th>
            <th>Made</th>
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          {accounts.map((a) => (
            <tr key={a.id}>
              <td>
                <button type="button" className="link" aria-pressed={a.id === selected} onClick={() => setSelected(a.id)}>
                  {a.name}
                </button>
                {a.defaultAccount && <span className="muted"> (default)</span>}
              </td>
              <td>{a.externalId}</td>
              <td>
                <span className={`badge ${a.active ? 'valid' : 'disabled'}`}>{a.active ? 'active' : 'inactive'}</span>
              </td>
              <td>
                <When iso={a.createdDate} />
              </td>
              <td>
                {!a.defaultAccount && (
                  <div className="actions">
                    <button
                      type="button"
                      aria-label={`${a.active ? 'Deactivate' : 'Activate'} the account ${a.name}`}
                      onClick={() =>
                        act(async () => {
                          await api('PATCH', `/accounts/${a.id}`, { active: !a.active });
                          return a.active ? `${a.name} is deactivated: its users can no longer sign in or call the API.` : `${a.name} is active again.`;
                        }, reload)
                      }
                    >
                      {a.active ? 'Deactivate' : 'Activate'}
                    </button>
                    <button
                      type="button"
                      className="danger"
                      aria-label={`Delete the account ${a.name}`}
                      onClick={() =>
                        window.confirm(`Delete the account ${a.name}, with its users and their instances?`) &&
                        act(async () => {
                          await api('DELETE', `/accounts/${a.id}`);
                          setSelected((current) => (current === a.id ? undefined : current));
                          return `Account ${a.name} deleted.`;
                        }, reload)
                      }
                    >
                      Delete
                    </button>
                  </div>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {account && <AccountUsers key={account.id} account={account} />}
      <PasswordRules />
    </section>
  );
}
