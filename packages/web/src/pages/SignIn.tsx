import { useState, type FormEvent } from 'react';
import { ApiError, request, setApiKey } from '../api.ts';

export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const trimmed = key.trim();
    if (!trimmed) {
      setError('Enter your API key.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await request('GET', '/journeys?limit=1', undefined, trimmed);
      setApiKey(trimmed);
      onSignedIn();
    } catch (caught) {
      setError(caught instanceof ApiError && caught.status === 401 ? 'That API key was not accepted. Check it and try again.' : caught instanceof Error ? caught.message : String(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="signin" id="main">
      <div className="signin-card">
        <div className="brand brand-large" aria-hidden="true">
          <Logo /> Waymark
        </div>
        <h1>Sign in to the journey designer</h1>
        <p className="muted">Use an API key from your administrator (for a fresh install: the key in WAYMARK_BOOTSTRAP_ADMIN_KEY).</p>
        <form onSubmit={submit} noValidate>
          <label htmlFor="api-key">API key</label>
          <input
            id="api-key"
            type="text"
            className="input input-secret"
            autoComplete="off"
            spellCheck={false}
            value={key}
            onChange={(event) => setKey(event.target.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'signin-error' : undefined}
            autoFocus
          />
          {error && (
            <p id="signin-error" className="field-error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" className="button primary wide" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
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
