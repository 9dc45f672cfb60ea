import { Fragment, type ReactNode, StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { setUnauthorizedHandler, signOut, storedSecrets } from './api.ts';
import { go, useRoute } from './router.ts';
import { Login } from './pages/login.tsx';
import { Home } from './pages/home.tsx';
import { Catalog } from './pages/catalog.tsx';
import { Authenticate } from './pages/authenticate.tsx';
import { Instances } from './pages/instances.tsx';
import { InstanceDetail } from './pages/instance-detail.tsx';
import { ApiReference } from './pages/api-reference.tsx';
import { UsagePage } from './pages/usage.tsx';
import { BulkPage } from './pages/bulk.tsx';
import './styles.css';

function App() {
  const [signedIn, setSignedIn] = useState(storedSecrets() !== null);
  const [notice, setNotice] = useState<string>();
  const route = useRoute();
  useEffect(() => {
    // Any 401 (a restarted server, an expired session, rotated secrets) asks to sign in again.
    setUnauthorizedHandler(() => {
      setSignedIn(false);
      setNotice('Your session ended. Please sign in again.');
    });
  }, []);
  if (!signedIn)
    return (
      <Login
        notice={notice}
        onSignedIn={() => {
          setNotice(undefined);
          setSignedIn(true);
          if (!location.hash) go('catalog');
        }}
      />
    );
  const [page, id, sub] = route;
  let content: ReactNode;
  if (page === 'catalog') content = <Catalog />;
  else if (page === 'authenticate' && id) content = <Authenticate elementKey={id} />;
  else if (page === 'instances' && id) content = <InstanceDetail id={id} editing={sub === 'edit'} />;
  else if (page === 'instances') content = <Instances />;
  else if (page === 'api') content = <ApiReference />;
  else if (page === 'usage') content = <UsagePage instanceId={id} />;
  else if (page === 'bulk' && id) content = <BulkPage instanceId={id} />;
  else content = <Home />;
  return (
    <>
      <a href="#main" className="skip">
        Skip to content
      </a>
      <header>
        <span className="brand">switchboard</span>
        <nav aria-label="Main">
          <a href="#/" aria-current={!page ? 'page' : undefined}>
            Secrets
          </a>
          <a href="#/catalog" aria-current={page === 'catalog' ? 'page' : undefined}>
            Connectors
          </a>
          <a href="#/instances" aria-current={page === 'instances' ? 'page' : undefined}>
            Instances
          </a>
          <a href="#/usage" aria-current={page === 'usage' ? 'page' : undefined}>
            Usage
          </a>
          <a href="#/api" aria-current={page === 'api' ? 'page' : undefined}>
            API reference
          </a>
        </nav>
        <button
          type="button"
          onClick={async () => {
            await signOut();
            setSignedIn(false);
          }}
        >
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {/* One page per route: another id (or the same instance after its edit) mounts a fresh page,
            so no page ever shows data it fetched for another route, or an answer that comes late. */}
        <Fragment key={route.join('/')}>{content}</Fragment>
      </main>
    </>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
