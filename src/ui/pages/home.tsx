import { useEffect, useState } from 'react';
import { useTitle } from '../components/page-title.ts';
import { describeError, fetchSecrets, type Secrets } from '../api.ts';
import { Loading } from '../components/loading.tsx';
import { Secret } from '../components/secret.tsx';

export function Home() {
  useTitle('Your secrets');
  const [secrets, setSecrets] = useState<Secrets>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    fetchSecrets().then(setSecrets, (err: unknown) => setError(describeError(err)));
  }, []);
  if (!secrets) return <Loading error={error} />;
  return (
    <section>
      <h1>Your secrets</h1>
      <p>
        Every API call carries <code>Authorization: User &lt;user secret&gt;, Organization &lt;organization secret&gt;</code>.
      </p>
      <Secret id="org-secret" label="Organization secret" value={secrets.company} />
      <Secret id="user-secret" label="User secret" value={secrets.user} />
    </section>
  );
}
