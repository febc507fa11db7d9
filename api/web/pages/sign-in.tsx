import type { Role } from '../../auth.js';
import { FormProblems, Notice } from '../components.js';
import type { FormState } from '../form-input.js';
import { ROLE_LABELS } from '../labels.js';

export interface SignInPerson {
  id: string;
  name: string;
  role: Role;
  siteName: string;
}

/**
 * Local stack only: pick one of the people in public.profiles. The page says so, so nobody
 * mistakes it for the real sign-in.
 */
export function SignInPage({ people, target, state, signedOut }: { people: SignInPerson[]; target: string; state?: FormState; signedOut?: boolean }) {
  const chosen = typeof state?.values.userId === 'string' ? state.values.userId : '';
  const error = state?.errors.userId;
  const sites = [...new Set(people.map((p) => p.siteName))];
  return (
    <>
      <h1>Aanmelden</h1>
      {signedOut ? (
        <Notice kind="ok">
          <p>Je bent afgemeld.</p>
        </Notice>
      ) : null}
      <Notice kind="warn">
        <p>
          Dit is de lokale testomgeving: kies wie je bent. Op de echte groeipad meld je je aan met je e-mailadres en een code.
        </p>
      </Notice>
      <p>
        <a href={`/aanmelden?terug=${encodeURIComponent(target)}`}>Aanmelden met je e-mailadres</a> (de code komt in de lokale postbus).
      </p>
      <FormProblems state={state} prefix="aanmelden" labels={{ userId: 'Wie ben je?' }} />
      {people.length === 0 ? (
        <p>Er zijn nog geen mensen in de databank. Start de lokale omgeving met <code>npm run dev</code>; die laadt de testgegevens.</p>
      ) : (
        <form method="post" action="/inloggen" novalidate>
          <input type="hidden" name="terug" value={target} />
          <fieldset class="field card" id="aanmelden-userId" aria-describedby={error ? 'aanmelden-userId-error' : undefined}>
            <legend>Wie ben je?</legend>
            {error ? (
              <p class="field-error" id="aanmelden-userId-error">
                {error}
              </p>
            ) : null}
            {sites.map((site) => (
              <>
                {sites.length > 1 ? <h2>{site}</h2> : <p class="muted">{site}</p>}
                {people
                  .filter((p) => p.siteName === site)
                  .map((p) => (
                    <div class="choice">
                      <input type="radio" id={`persoon-${p.id}`} name="userId" value={p.id} checked={chosen === p.id} />
                      <label for={`persoon-${p.id}`}>
                        {p.name} <span class="muted">· {ROLE_LABELS[p.role]}</span>
                      </label>
                    </div>
                  ))}
              </>
            ))}
          </fieldset>
          <button type="submit">Aanmelden</button>
        </form>
      )}
    </>
  );
}
