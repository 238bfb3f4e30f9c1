import { useEffect, useState } from 'react';
import { currentUser, getApiKey, onSignedOut, signOut } from './api.ts';
import { Designer } from './designer/Designer.tsx';
import { ContactDetail, Contacts } from './pages/Contacts.tsx';
import { EmailEditor, Emails } from './pages/Emails.tsx';
import { JourneyList } from './pages/JourneyList.tsx';
import { Segments } from './pages/Segments.tsx';
import { ContentSettings, Forms, SubscriptionLists, Workflows } from './pages/SimpleRecords.tsx';
import { RecordsProvider } from './records.tsx';
import { Logo, SignIn } from './pages/SignIn.tsx';
import { Link, match, useLocation } from './router.tsx';

const NAV = [
  { to: '/', label: 'Journeys', prefixes: ['/', '/journeys'] },
  { to: '/segments', label: 'Segments', prefixes: ['/segments'] },
  { to: '/emails', label: 'Emails', prefixes: ['/emails'] },
  { to: '/contacts', label: 'Contacts', prefixes: ['/contacts'] },
  { to: '/forms', label: 'Forms', prefixes: ['/forms'] },
  { to: '/subscription-lists', label: 'Subscription lists', prefixes: ['/subscription-lists'] },
  { to: '/workflows', label: 'Workflows', prefixes: ['/workflows'] },
  { to: '/content-settings', label: 'Content settings', prefixes: ['/content-settings'] },
];

export function App() {
  // With an API key in this tab: signed in. Otherwise the session cookie (if any) decides: ask the server.
  const [signedIn, setSignedIn] = useState<boolean | null>(() => (getApiKey() !== null ? true : null));
  const { path } = useLocation();
  useEffect(() => onSignedOut(() => setSignedIn(false)), []);
  useEffect(() => {
    if (signedIn !== null) return;
    currentUser().then(
      (me) => setSignedIn(me !== null),
      () => setSignedIn(false),
    );
  }, [signedIn]);

  useEffect(() => {
    const designer = match('/journeys/:id', path);
    const section = NAV.find((item) => item.to !== '/' && path.startsWith(item.to))?.label;
    document.title = designer ? 'Journey designer · Waymark' : `${section ?? 'Customer journeys'} · Waymark`;
  }, [path]);

  if (signedIn === null)
    return (
      <main className="signin" id="main" aria-busy="true">
        <p className="muted">Loading…</p>
      </main>
    );
  if (!signedIn) return <SignIn onSignedIn={() => setSignedIn(true)} />;

  const designer = match('/journeys/:id', path);
  let content;
  if (path === '/' || path === '/journeys') content = <JourneyList />;
  else if (designer) content = <Designer id={designer.id!} />;
  else if (path === '/segments') content = <Segments />;
  else if (path === '/emails') content = <Emails />;
  else if (match('/emails/:id', path)) content = <EmailEditor id={match('/emails/:id', path)!.id!} />;
  else if (path === '/contacts') content = <Contacts />;
  else if (path === '/forms') content = <Forms />;
  else if (path === '/subscription-lists') content = <SubscriptionLists />;
  else if (path === '/workflows') content = <Workflows />;
  else if (path === '/content-settings') content = <ContentSettings />;
  else if (match('/contacts/:id', path)) content = <ContactDetail id={match('/contacts/:id', path)!.id!} />;
  else
    content = (
      <div className="page">
        <h1>Page not found</h1>
        <p>
          <Link to="/">Go to the journeys</Link>
        </p>
      </div>
    );

  return (
    <div className={`app ${designer ? 'app-designer' : ''}`}>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/" className="brand" aria-label="Waymark home">
          <Logo /> <span>Waymark</span>
        </Link>
        <nav aria-label="Main">
          <ul className="nav">
            {NAV.map((item) => {
              const current = item.prefixes.some((prefix) => (prefix === '/' ? path === '/' : path.startsWith(prefix)));
              return (
                <li key={item.to}>
                  <Link to={item.to} aria-current={current ? 'page' : undefined} className="nav-link">
                    {item.label}
                  </Link>
                </li>
              );
            })}
          </ul>
        </nav>
        <button type="button" className="button ghost small" onClick={() => void signOut().catch(() => undefined)}>
          Sign out
        </button>
      </header>
      <main id="main" className="main" tabIndex={-1}>
        <RecordsProvider>{content}</RecordsProvider>
      </main>
    </div>
  );
}
