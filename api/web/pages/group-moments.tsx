import { GROUP_MOMENT_KINDS, GROUP_MOMENT_LABELS, PARTNERS, PARTNER_LABELS } from '../../../domain/codes.js';
import type { GroupMoment, Register } from '../../group-moments.js';
import { FormProblems, Notice, Select, TextField, optionsFrom } from '../components.js';
import type { FormState } from '../form-input.js';
import { formatDate } from '../labels.js';

/** The register form's field names: one checkbox per participant, one number per partner. */
export const PRESENT_FIELD = 'aanwezig';
export const guestField = (partner: string) => `gasten-${partner}`;

const PLAN_LABELS = { kind: 'Soort groepsmoment', date: 'Datum', facilitatorId: 'Begeleider' };

/** The moments of the site (a month back and ahead) and, for staff and facilitators, a form to plan one. */
export function GroupMomentsPage({
  moments,
  names,
  people,
  canPlan,
  state,
}: {
  moments: GroupMoment[];
  names: Map<string, string>;
  people: Array<{ id: string; name: string }>;
  canPlan: boolean;
  state?: FormState | undefined;
}) {
  return (
    <>
      <h1>Groepsmomenten</h1>
      {moments.length === 0 ? (
        <p>Er zijn nog geen groepsmomenten gepland.</p>
      ) : (
        <ul class="list">
          {moments.map((m) => (
            <li>
              <div class="title">
                <a href={`/groepsmomenten/${m.id}`}>
                  {GROUP_MOMENT_LABELS[m.kind]}, {formatDate(m.date)}
                </a>
              </div>
              <p class="meta">Begeleider: {m.facilitatorId ? (names.get(m.facilitatorId) ?? 'onbekend') : 'nog niemand'}</p>
            </li>
          ))}
        </ul>
      )}
      {canPlan ? (
        <section class="card" aria-labelledby="plannen-titel">
          <h2 id="plannen-titel">Een groepsmoment plannen</h2>
          <FormProblems state={state} prefix="plannen" labels={PLAN_LABELS} />
          <form method="post" action="/groepsmomenten" novalidate>
            <Select prefix="plannen" name="kind" label={PLAN_LABELS.kind} required options={optionsFrom(GROUP_MOMENT_KINDS, GROUP_MOMENT_LABELS)} placeholder="Kies…" state={state} />
            <TextField prefix="plannen" name="date" label={PLAN_LABELS.date} type="date" required state={state} hint="JJJJ-MM-DD" />
            <Select prefix="plannen" name="facilitatorId" label={PLAN_LABELS.facilitatorId} options={people.map((p) => [p.id, p.name] as const)} placeholder="Ikzelf" state={state} />
            <button type="submit">Plannen</button>
          </form>
        </section>
      ) : null}
    </>
  );
}

/**
 * The register of one moment, for the facilitator on a phone: everyone expected (active
 * participants of the site and everyone invited) with a checkbox, and the guests per partner
 * organisation, in one form. Whoever is counted stays counted (the checkbox is ticked and fixed).
 */
export function RegisterPage({
  register,
  facilitator,
  saved,
  notice,
  canInvite,
  notCounted,
  state,
}: {
  register: Register;
  facilitator: string;
  saved?: boolean | undefined;
  notice?: string | undefined;
  /** Staff may invite the site by email to a moment that has not passed. */
  canInvite?: boolean | undefined;
  notCounted?: Array<{ name: string; reason: string }> | undefined;
  state?: FormState | undefined;
}) {
  const { moment, participants, guests } = register;
  const presentCount = participants.filter((p) => p.present).length;
  const guestCount = guests.reduce((sum, g) => sum + g.count, 0);
  const ticked = new Set(state ? [state.values[PRESENT_FIELD] ?? []].flat() : []);
  const guestValue = (partner: string) => {
    if (state) {
      const v = state.values[guestField(partner)];
      return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
    }
    const saved = guests.find((g) => g.partner === partner);
    return saved ? String(saved.count) : '';
  };
  const labels = Object.fromEntries(PARTNERS.map((p) => [guestField(p), `Gasten van ${PARTNER_LABELS[p]}`]));
  return (
    <>
      <h1>{GROUP_MOMENT_LABELS[moment.kind]}</h1>
      <p class="lead">
        {formatDate(moment.date)} · begeleider: {facilitator}
      </p>
      {notice ? (
        <Notice kind="ok">
          <p>{notice}</p>
        </Notice>
      ) : null}
      {saved ? (
        <Notice kind="ok">
          <p>
            De aanwezigheden zijn bewaard: {presentCount} {presentCount === 1 ? 'deelnemer' : 'deelnemers'} en {guestCount} {guestCount === 1 ? 'gast' : 'gasten'}.
          </p>
        </Notice>
      ) : null}
      {notCounted && notCounted.length > 0 ? (
        <Notice kind="warn" title="Niet bij iedereen geteld">
          <ul>
            {notCounted.map((n) => (
              <li>
                {n.name}: {n.reason}
              </li>
            ))}
          </ul>
        </Notice>
      ) : null}
      <FormProblems state={state} prefix="register" labels={labels} />
      <form method="post" action={`/groepsmomenten/${moment.id}`} novalidate>
        <fieldset class="field">
          <legend>Wie is er?</legend>
          <span class="hint">Vink aan wie er was. Wie al geteld is, blijft geteld.</span>
          {participants.length === 0 ? <p>Er wordt niemand verwacht op dit groepsmoment.</p> : null}
          {participants.map((p, i) => (
            <div class="choice">
              <input
                type="checkbox"
                id={`register-p-${i}`}
                name={PRESENT_FIELD}
                value={p.participantId}
                checked={p.present || ticked.has(p.participantId)}
                disabled={p.counted}
              />
              <label for={`register-p-${i}`}>
                {`${p.firstName} ${p.lastName}`.trim()}
                {p.invited ? (
                  <>
                    {' '}
                    <span class="badge">uitgenodigd</span>
                  </>
                ) : null}
                {p.counted ? (
                  <>
                    {' '}
                    <span class="badge phase-focus">geteld</span>
                  </>
                ) : null}
              </label>
            </div>
          ))}
        </fieldset>
        <fieldset class="field guests">
          <legend>Gasten van partnerorganisaties</legend>
          <span class="hint">Het aantal personen per partner. Zij worden niet als deelnemer ingeschreven; leeg of 0 is niemand.</span>
          {PARTNERS.map((partner) => {
            const name = guestField(partner);
            const error = state?.errors[name];
            const id = `register-${name}`;
            return (
              <div class="guest-row">
                <label for={id}>{PARTNER_LABELS[partner]}</label>
                {error ? (
                  <p class="field-error" id={`${id}-error`}>
                    {error}
                  </p>
                ) : null}
                <input
                  id={id}
                  name={name}
                  type="text"
                  inputmode="numeric"
                  autocomplete="off"
                  size={4}
                  value={guestValue(partner)}
                  aria-invalid={error ? 'true' : undefined}
                  aria-describedby={error ? `${id}-error` : undefined}
                />
              </div>
            );
          })}
        </fieldset>
        <button type="submit">Aanwezigheden bewaren</button>
      </form>
      {canInvite ? (
        <section class="card" aria-labelledby="uitnodigen-titel">
          <h2 id="uitnodigen-titel">Uitnodigen</h2>
          <p>Stuur een uitnodiging per e-mail naar de deelnemers en oud-deelnemers van de Stuyfplek die e-mails willen krijgen. Wie al uitgenodigd is, krijgt geen tweede.</p>
          <form method="post" action={`/groepsmomenten/${moment.id}/uitnodigen`}>
            <button type="submit" class="secondary">
              Uitnodigingen versturen
            </button>
          </form>
        </section>
      ) : null}
      <section aria-labelledby="bewaard-titel">
        <h2 id="bewaard-titel">Bewaard</h2>
        <p id="bewaard">
          {presentCount} {presentCount === 1 ? 'deelnemer' : 'deelnemers'} aanwezig, {guestCount} {guestCount === 1 ? 'gast' : 'gasten'}
        </p>
        {guests.length > 0 ? (
          <ul>
            {guests.map((g) => (
              <li>
                {PARTNER_LABELS[g.partner]}: {g.count}
              </li>
            ))}
          </ul>
        ) : null}
      </section>
    </>
  );
}
