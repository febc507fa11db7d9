import { FormProblems, Notice, TextField } from '../components.js';
import type { FormState } from '../form-input.js';

/**
 * Staff sign-in with Supabase Auth: an email address, then the six-digit code from the email
 * (or the link in it). No JavaScript: two forms that post.
 */

/** The same answer for every address, so the page does not tell who has an account. */
export const CODE_SENT = 'We stuurden een code als dit adres bij ons bekend is. Kijk in je mailbox (ook bij de ongewenste e-mail).';

export function EmailSignInPage({ target, state, notice, problem, localSignIn }: { target: string; state?: FormState; notice?: string; problem?: string; localSignIn?: boolean }) {
  return (
    <>
      <h1>Aanmelden</h1>
      {notice ? (
        <Notice kind="ok">
          <p>{notice}</p>
        </Notice>
      ) : null}
      {problem ? (
        <Notice kind="warn">
          <p>{problem}</p>
        </Notice>
      ) : null}
      <p>Typ je e-mailadres. We sturen je een code van 6 cijfers om je aan te melden.</p>
      <FormProblems state={state} prefix="aanmelden" labels={{ email: 'E-mailadres' }} />
      <form method="post" action="/aanmelden" novalidate>
        <input type="hidden" name="terug" value={target} />
        <TextField prefix="aanmelden" name="email" label="E-mailadres" type="email" autocomplete="email" state={state} required />
        <button type="submit">Stuur me een code</button>
      </form>
      {localSignIn ? (
        <p class="muted">
          Lokale testomgeving: de e-mail komt in de lokale postbus terecht. Of <a href={`/inloggen?terug=${encodeURIComponent(target)}`}>kies wie je bent</a> zonder code.
        </p>
      ) : null}
    </>
  );
}

export function CodePage({ email, target, state }: { email: string; target: string; state?: FormState }) {
  return (
    <>
      <h1>Typ je code</h1>
      {state ? null : (
        <Notice kind="ok">
          <p>{CODE_SENT}</p>
        </Notice>
      )}
      <FormProblems state={state} prefix="code" labels={{ code: 'Code' }} />
      <form method="post" action="/aanmelden/code" novalidate>
        <input type="hidden" name="email" value={email} />
        <input type="hidden" name="terug" value={target} />
        <TextField
          prefix="code"
          name="code"
          label="Code"
          hint={`De 6 cijfers uit de e-mail aan ${email}. De code werkt een uur lang, één keer.`}
          autocomplete="one-time-code"
          inputmode="numeric"
          state={state}
          required
        />
        <button type="submit">Aanmelden</button>
      </form>
      <p>
        Geen e-mail gekregen, of is de code verlopen? <a href={`/aanmelden?terug=${encodeURIComponent(target)}`}>Vraag een nieuwe code aan</a>.
      </p>
    </>
  );
}

/** Signed in with Supabase Auth, but no profile: nobody linked the account to a Stuyfplek yet. */
export function NotLinkedPage({ email }: { email: string }) {
  return (
    <>
      <h1>Je account is nog niet gekoppeld</h1>
      <p>
        Je bent aangemeld{email ? ` als ${email}` : ''}, maar je account is nog niet gekoppeld aan een Stuyfplek. Vraag de coördinator of het onthaal van je
        Stuyfplek om je toe te voegen aan groeipad, met je rol (coach, onthaal of coördinator). Daarna kan je meteen verder.
      </p>
      <form method="post" action="/uitloggen">
        <button type="submit">Afmelden</button>
      </form>
    </>
  );
}
