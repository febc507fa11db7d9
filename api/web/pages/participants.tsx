import { localTimeToInstant, toLocalDate } from '../../../domain/calendar.js';
import { PHASES, PHASE_LABELS, TASK_LABELS } from '../../../domain/codes.js';
import type { SignedInUser } from '../../context.js';
import type { ParticipantSummary } from '../../queries.js';
import { PhaseBadge, Select, optionsFrom } from '../components.js';
import { PATH_STATUS_LABELS, formatDate } from '../labels.js';

/** Overdue: due before today (Brussels), as in the task list. */
function due(task: NonNullable<ParticipantSummary['nextTask']>, startOfToday: number) {
  const late = Date.parse(task.dueAt) < startOfToday;
  return (
    <>
      {TASK_LABELS[task.kind]}, {formatDate(task.dueAt)} {late ? <span class="badge late">te laat</span> : null}
    </>
  );
}

export function ParticipantsPage({
  user,
  participants,
  coaches,
  filter,
}: {
  user: SignedInUser;
  participants: ParticipantSummary[];
  coaches: Array<{ id: string; name: string }>;
  filter: { phase?: string | undefined; coach?: string | undefined };
}) {
  const startOfToday = localTimeToInstant(toLocalDate(Date.now()), 0);
  const mine = user.role === 'coach';
  return (
    <>
      <h1>{mine ? 'Mijn deelnemers' : 'Deelnemers'}</h1>
      <p class="lead">{mine ? 'De bestuyvers die jij opvolgt.' : 'De bestuyvers van je Stuyfplek.'}</p>
      <form method="get" action="/deelnemers" class="card filters" aria-label="Filter">
        <Select prefix="filter" name="fase" label="Fase" options={optionsFrom(PHASES, PHASE_LABELS)} placeholder="Alle fasen" value={filter.phase} required />
        {mine ? null : (
          <Select prefix="filter" name="coach" label="Coach" options={coaches.map((c) => [c.id, c.name] as const)} placeholder="Alle coaches" value={filter.coach} required />
        )}
        <div>
          <button type="submit" class="secondary">
            Toon
          </button>
        </div>
      </form>
      {participants.length === 0 ? (
        <p>Geen deelnemers gevonden{filter.phase || filter.coach ? ' met deze filter' : ''}.</p>
      ) : (
        <ul class="list" aria-label="Deelnemers">
          {participants.map((p) => (
            <li>
              <div class="row">
                <a class="title" href={`/deelnemers/${p.id}`}>
                  {[p.firstName, p.lastName].filter(Boolean).join(' ')}
                </a>
                <PhaseBadge phase={p.phase} label={p.status === 'active' ? PHASE_LABELS[p.phase] : PATH_STATUS_LABELS[p.status]} />
              </div>
              <p class="meta">Volgende taak: {p.nextTask ? due(p.nextTask, startOfToday) : 'geen'}</p>
              <p class="meta">
                Laatste contact: {formatDate(p.lastContactAt)}
                {mine ? '' : ` · Coach: ${p.coachName ?? 'nog geen'}`}
              </p>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
