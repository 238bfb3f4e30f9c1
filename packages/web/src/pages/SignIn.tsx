import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, api, request, setApiKey, signInWithPassword, type SignInOptions } from '../api.ts';

type Mode = 'password' | 'apiKey';

/**
 * Email and password first (and single sign-on when the server has it); an API key one step away,
 * for scripts' owners and fresh installs that have only WAYMARK_BOOTSTRAP_ADMIN_KEY.
 */
export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [mode, setMode] = useState<Mode>('password');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [options, setOptions] = useState<SignInOptions | null>(null);

  useEffect(() => {
    api.get<SignInOptions>('/auth/options').then(setOptions, () => setOptions(null));
  }, []);

  const attempt = async (work: () => Promise<void>, refused: string) => {
    setBusy(true);
    setError(null);
    try {
      await work();
      onSignedIn();
    } catch (caught) {
      if (caught instanceof ApiError && caught.status === 401) setError(refused);
      else if (caught instanceof ApiError && caught.status === 429) setError(`${caught.message}.`);
      else setError(caught instanceof Error ? caught.message : String(caught));
    } finally {
      setBusy(false);
    }
  };

  const submitPassword = (event: FormEvent) => {
    event.preventDefault();
    if (!email.trim() || !password) {
      setError('Enter your email and password.');
      return;
    }
    void attempt(async () => {
      await signInWithPassword(email.trim(), password);
    }, 'That email and password did not match. Check them and try again.');
  };

  const submitKey = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = key.trim();
    if (!trimmed) {
      setError('Enter your API key.');
      return;
    }
    void attempt(async () => {
      await request('GET', '/journeys?limit=1', undefined, trimmed);
      setApiKey(trimmed);
    }, 'That API key was not accepted. Check it and try again.');
  };

  const switchTo = (next: Mode) => {
    setMode(next);
    setError(null);
  };

  const errorText = error && (
    <p id="signin-error" className="field-error" role="alert">
      {error}
    </p>
  );
  const described = error ? { 'aria-invalid': true, 'aria-describedby': 'signin-error' } : {};

  return (
    <main className="signin" id="main">
      <div className="signin-card">
        <div className="brand brand-large" aria-hidden="true">
          <Logo /> Waymark
        </div>
        <h1>Sign in to the journey designer</h1>
        {mode === 'password' ? (
          <>
            <form onSubmit={submitPassword} noValidate>
              <label htmlFor="signin-email">Email</label>
              <input id="signin-email" type="email" className="input" autoComplete="username" value={email} onChange={(event) => setEmail(event.target.value)} {...described} autoFocus />
              <label htmlFor="signin-password">Password</label>
              <input id="signin-password" type="password" className="input" autoComplete="current-password" value={password} onChange={(event) => setPassword(event.target.value)} {...described} />
              {errorText}
              <button type="submit" className="button primary wide" disabled={busy}>
                {busy ? 'Signing in…' : 'Sign in'}
              </button>
            </form>
            {options?.sso && (
              // A full page navigation: the provider's pages take over, and come back signed in.
              <button type="button" className="button wide" onClick={() => window.location.assign('/api/v1/auth/oidc/start')}>
                Sign in with SSO
              </button>
            )}
            <button type="button" className="button ghost wide" onClick={() => switchTo('apiKey')}>
              Use an API key
            </button>
          </>
        ) : (
          <>
            <p className="muted">Use an API key from your administrator (for a fresh install: the key in WAYMARK_BOOTSTRAP_ADMIN_KEY).</p>
            <form onSubmit={submitKey} noValidate>
              <label htmlFor="api-key">API key</label>
              <input
                id="api-key"
                type="text"
                className="input input-secret"
                autoComplete="off"
                spellCheck={false}
                value={key}
                onChange={(event) => setKey(event.target.value)}
                {...described}
                autoFocus
              />
              {errorText}
              <button type="submit" className="button primary wide" disabled={busy}>
                {busy ? 'Signing in…' : 'Sign in'}
              </button>
            </form>
            <button type="button" className="button ghost wide" onClick={() => switchTo('password')}>
              Use email and password
            </button>
          </>
        )}
      </div>
    </main>
  );
}

export function Logo() {
  return (
    <svg viewBox="0 0 32 32" width="28" height="28" aria-hidden="true">
      <rect width="32" height="32" rx="8" fill="#4f46e5" />
      <path d="M7 22l5-12 4 8 4-8 5 12" stroke="#fff" strokeWidth="3" fill="none" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}
