import { storedSecrets } from '../api.ts';
import { Secret } from '../components/secret.tsx';

export function Home() {
  const s = storedSecrets();
  return (
    <section>
      <h1>Your secrets</h1>
      <p>
        Every API call carries <code>Authorization: User &lt;user secret&gt;, Organization &lt;organization secret&gt;</code>.
      </p>
      {s && (
        <>
          <Secret id="org-secret" label="Organization secret" value={s.company} />
          <Secret id="user-secret" label="User secret" value={s.user} />
        </>
      )}
    </section>
  );
}
