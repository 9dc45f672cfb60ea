import { useEffect, useState } from 'react';
import { describeError, fetchSecrets, type Secrets } from '../api.ts';
import { curlCommand, hubAuthorization } from '../curl.ts';
import { CopyButton } from './copy-button.tsx';

/**
 * A ready-to-run cURL for one hub call. The page shows it with its secrets masked (a screen can be
 * seen or shared); the copy button copies it whole.
 */
export function CurlExample({ token, url }: { token: string; url: string }) {
  const [secrets, setSecrets] = useState<Secrets>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    fetchSecrets().then(setSecrets, (err: unknown) => setError(describeError(err)));
  }, []);
  if (!secrets)
    return error ? (
      <p role="alert" className="error">
        {error}
      </p>
    ) : (
      <p>Loading…</p>
    );
  const command = (mask: boolean) => curlCommand({ method: 'GET', url, headers: [['Authorization', hubAuthorization(secrets, token, mask)]] });
  return (
    <>
      <pre className="curl" data-testid="curl">
        {command(true)}
      </pre>
      <CopyButton text={command(false)} label="Copy cURL" />
    </>
  );
}
