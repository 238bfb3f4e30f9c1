import { useEffect, useState } from 'react';
import { getApiKey, onSignedOut, setApiKey } from './api.ts';
import { Designer } from './designer/Designer.tsx';
import { JourneyList } from './pages/JourneyList.tsx';
import { Logo, SignIn } from './pages/SignIn.tsx';
import { Link, match, useLocation } from './router.tsx';

const NAV = [{ to: '/', label: 'Journeys', prefixes: ['/', '/journeys'] }];

export function App() {
  const [signedIn, setSignedIn] = useState(() => getApiKey() !== null);
  const { path } = useLocation();
  useEffect(() => onSignedOut(() => setSignedIn(false)), []);

  useEffect(() => {
    const designer = match('/journeys/:id', path);
    document.title = designer ? 'Journey designer · Waymark' : 'Customer journeys · Waymark';
  }, [path]);

  if (!signedIn) return <SignIn onSignedIn={() => setSignedIn(true)} />;

  const designer = match('/journeys/:id', path);
  let content;
  if (path === '/' || path === '/journeys') content = <JourneyList />;
  else if (designer) content = <Designer id={designer.id!} />;
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
        <button type="button" className="button ghost small" onClick={() => setApiKey(null)}>
          Sign out
        </button>
      </header>
      <main id="main" className="main" tabIndex={-1}>
        {content}
      </main>
    </div>
  );
}
