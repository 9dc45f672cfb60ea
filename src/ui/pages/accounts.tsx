import { useCallback, useEffect, useState } from 'react';
import { useTitle } from '../components/page-title.ts';
import { When } from '../components/when.tsx';
import { Loading } from '../components/loading.tsx';
import { Secret } from '../components/secret.tsx';
import { ListTable } from '../components/list-table.tsx';
import { DeleteButton } from '../components/delete-button.tsx';
import { useAction } from '../components/use-action.ts';
import { ActionForm, ActionMessages } from '../components/action-messages.tsx';
import { api, type Account, type AccountSettings, type User } from '../api.ts';
import { PasswordRules } from './password-rules.tsx';

const POLICY = 'notification.webhook.failure.policy';
type Policy = AccountSettings[typeof POLICY];

const ActiveBadge = ({ active }: { active: boolean }) => <span className={`badge ${active ? 'valid' : 'disabled'}`}>{active ? 'active' : 'inactive'}</span>;

/** Deactivate (or Activate) and Delete, of an account or a user; Delete asks `confirmation` first. */
function ActiveAndDelete(props: { name: string; active: boolean; confirmation: string; setActive: (active: boolean) => unknown; remove: () => unknown }) {
  const { name, active, confirmation, setActive, remove } = props;
  return (
    <div className="actions">
      <button type="button" aria-label={`${active ? 'Deactivate' : 'Activate'} ${name}`} onClick={() => setActive(!active)}>
        {active ? 'Deactivate' : 'Activate'}
      </button>
      <DeleteButton label={`Delete ${name}`} confirmation={confirmation} remove={remove} />
    </div>
  );
}

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
      <ListTable
        rows={users}
        rowKey={(u) => u.id}
        empty="No users in this account yet."
        columns={[
          {
            header: 'User',
            cell: (u) => (
              <>
                {u.email}
                {u.fullName.trim() && <div className="muted">{u.fullName}</div>}
              </>
            ),
          },
          { header: 'Roles', cell: (u) => u.roles.map((r) => r.key).join(', ') || <span className="muted">none</span> },
          { header: 'State', cell: (u) => <ActiveBadge active={u.active} /> },
          { header: 'Made', cell: (u) => <When iso={u.createdDate} /> },
          {
            header: 'Actions',
            cell: (u) => (
              <ActiveAndDelete
                name={u.email}
                active={u.active}
                confirmation={`Delete the user ${u.email}, with the instances they made?`}
                setActive={(active) =>
                  act(async () => {
                    await api('PATCH', `/users/${u.id}`, { active });
                    return active ? `${u.email} is active again.` : `${u.email} is deactivated: their secret and password no longer work.`;
                  }, reload)
                }
                remove={() =>
                  act(async () => {
                    await api('DELETE', `/users/${u.id}`);
                    return `${u.email} deleted.`;
                  }, reload)
                }
              />
            ),
          },
        ]}
      />
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
      <ListTable
        rows={accounts}
        rowKey={(a) => a.id}
        empty="No accounts."
        columns={[
          {
            header: 'Account',
            cell: (a) => (
              <>
                <button type="button" className="link" aria-pressed={a.id === selected} onClick={() => setSelected(a.id)}>
                  {a.name}
                </button>
                {a.defaultAccount && <span className="muted"> (default)</span>}
              </>
            ),
          },
          { header: 'External id', cell: (a) => a.externalId },
          { header: 'State', cell: (a) => <ActiveBadge active={a.active} /> },
          { header: 'Made', cell: (a) => <When iso={a.createdDate} /> },
          {
            header: 'Actions',
            cell: (a) =>
              !a.defaultAccount && (
                <ActiveAndDelete
                  name={`the account ${a.name}`}
                  active={a.active}
                  confirmation={`Delete the account ${a.name}, with its users and their instances?`}
                  setActive={(active) =>
                    act(async () => {
                      await api('PATCH', `/accounts/${a.id}`, { active });
                      return active ? `${a.name} is active again.` : `${a.name} is deactivated: its users can no longer sign in or call the API.`;
                    }, reload)
                  }
                  remove={() =>
                    act(async () => {
                      await api('DELETE', `/accounts/${a.id}`);
                      setSelected((current) => (current === a.id ? undefined : current));
                      return `Account ${a.name} deleted.`;
                    }, reload)
                  }
                />
              ),
          },
        ]}
      />
      {account && <AccountUsers key={account.id} account={account} />}
      <PasswordRules />
    </section>
  );
}
