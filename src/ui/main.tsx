import { Fragment, lazy, type ReactNode, StrictMode, Suspense, useEffect, useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { currentSession, describeError, setUnauthorizedHandler, signOut } from './api.ts';
import { adoptPathRoute, go, useRoute } from './router.ts';
import { Login } from './pages/login.tsx';
import { Home } from './pages/home.tsx';
import { Catalog } from './pages/catalog.tsx';
import { Authenticate } from './pages/authenticate.tsx';
import { Instances } from './pages/instances.tsx';
import { InstanceDetail } from './pages/instance-detail.tsx';
import { NotFound } from './pages/not-found.tsx';
import { Loading } from './components/loading.tsx';
import { PageError } from './components/page-error.tsx';
import './styles.css';

// Pages most visits never open load on demand: the usage charts (uPlot), the API reference, bulk, scheduled jobs, notifications and accounts.
const UsagePage = lazy(() => import('./pages/usage.tsx').then((m) => ({ default: m.UsagePage })));
const ApiReference = lazy(() => import('./pages/api-reference.tsx').then((m) => ({ default: m.ApiReference })));
const BulkPage = lazy(() => import('./pages/bulk.tsx').then((m) => ({ default: m.BulkPage })));
const JobsPage = lazy(() => import('./pages/jobs.tsx').then((m) => ({ default: m.JobsPage })));
const AccountsPage = lazy(() => import('./pages/accounts.tsx').then((m) => ({ default: m.AccountsPage })));
const NotificationsPage = lazy(() => import('./pages/notifications.tsx').then((m) => ({ default: m.NotificationsPage })));

function App() {
  // undefined while the server is asked whether this browser has a session.
  const [signedIn, setSignedIn] = useState<boolean>();
  const [notice, setNotice] = useState<string>();
  const route = useRoute();
  const path = route.join('/');
  const main = useRef<HTMLElement>(null);
  // A new page takes the focus, so a screen reader or keyboard user starts at its content.
  const first = useRef(true);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on each navigation, which `path` names
  useEffect(() => {
    if (first.current) first.current = false;
    else main.current?.focus();
  }, [path]);
  const wasSignedIn = useRef(false);
  useEffect(() => {
    // A call refused for want of a session (expired, signed out elsewhere, unknown to a restarted server) asks to sign in again.
    setUnauthorizedHandler(() => {
      wasSignedIn.current = false;
      setSignedIn(false);
      setNotice('Your session ended. Please sign in again.');
    });
  }, []);
  // Each navigation asks whether the session still stands, so a sign-out in another tab ends this
  // one too, even on a page whose data is public (the catalog).
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on each navigation, which `path` names
  useEffect(() => {
    currentSession().then(
      (session) => {
        if (session.user) {
          wasSignedIn.current = true;
          setSignedIn(true);
          return;
        }
        if (session.ended || wasSignedIn.current) setNotice('Your session ended. Please sign in again.');
        wasSignedIn.current = false;
        setSignedIn(false);
      },
      (err: unknown) => {
        // Signed in, the page says itself that the server cannot be reached.
        if (wasSignedIn.current) return;
        setSignedIn(false);
        setNotice(describeError(err));
      },
    );
  }, [path]);
  if (signedIn === undefined) return <Loading error={undefined} />;
  if (!signedIn)
    return (
      <Login
        notice={notice}
        onSignedIn={() => {
          wasSignedIn.current = true;
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
  else if (page === 'jobs') content = <JobsPage />;
  else if (page === 'notifications') content = <NotificationsPage />;
  else if (page === 'accounts') content = <AccountsPage />;
  else if (!page) content = <Home />;
  else content = <NotFound path={`/${path}`} />;
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
          <a href="#/jobs" aria-current={page === 'jobs' ? 'page' : undefined}>
            Jobs
          </a>
          <a href="#/notifications" aria-current={page === 'notifications' ? 'page' : undefined}>
            Notifications
          </a>
          <a href="#/accounts" aria-current={page === 'accounts' ? 'page' : undefined}>
            Accounts
          </a>
          <a href="#/api" aria-current={page === 'api' ? 'page' : undefined}>
            API reference
          </a>
        </nav>
        <button
          type="button"
          className="link"
          onClick={async () => {
            wasSignedIn.current = false;
            await signOut();
            setSignedIn(false);
          }}
        >
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1} ref={main}>
        {/* One page per route: another id (or the same instance after its edit) mounts a fresh page,
            so no page ever shows data it fetched for another route, or an answer that comes late. */}
        <Fragment key={path}>
          <PageError>
            <Suspense fallback={<Loading error={undefined} />}>{content}</Suspense>
          </PageError>
        </Fragment>
      </main>
    </>
  );
}

adoptPathRoute();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
