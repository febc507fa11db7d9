import { localTimeToInstant, toLocalDate } from '../../../domain/calendar.js';
import { PHASES, PHASE_LABELS, TASK_LABELS } from '../../../domain/codes.js';
import type { SignedInUser } from '../../context.js';
import type { ParticipantPage, ParticipantSummary } from '../../queries.js';
import { PhaseBadge, Select, TextField, optionsFrom } from '../components.js';
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

type ListFilter = { phase?: string | undefined; coach?: string | undefined; search?: string | undefined };

/** The list's address for another page, keeping the filter and the search. */
function pageHref(filter: ListFilter, page: number): string {
  const params = new URLSearchParams();
  if (filter.search) params.set('zoek', filter.search);
  if (filter.phase) params.set('fase', filter.phase);
  if (filter.coach) params.set('coach', filter.coach);
  if (page > 1) params.set('pagina', String(page));
  const query = params.toString();
  return query ? `/deelnemers?${query}` : '/deelnemers';
}

function Paging({ list, filter }: { list: ParticipantPage; filter: ListFilter }) {
  const pages = Math.max(1, Math.ceil(list.total / list.pageSize));
  if (pages === 1) return null;
  return (
    <nav class="paging" aria-label="Pagina's">
      {list.page > 1 ? (
        <a class="button secondary" href={pageHref(filter, list.page - 1)} rel="prev">
          Vorige
        </a>
      ) : null}
      <span>
        Pagina {list.page} van {pages}
      </span>
      {list.page < pages ? (
        <a class="button secondary" href={pageHref(filter, list.page + 1)} rel="next">
          Volgende
        </a>
      ) : null}
    </nav>
  );
}

export function ParticipantsPage({ user, list, coaches, filter }: { user: SignedInUser; list: ParticipantPage; coaches: Array<{ id: string; name: string }>; filter: ListFilter }) {
  const startOfToday = localTimeToInstant(toLocalDate(Date.now()), 0);
  const mine = user.role === 'coach';
  const participants = list.participants;
  const filtered = Boolean(filter.phase || filter.coach || filter.search);
  return (
    <>
      <h1>{mine ? 'Mijn deelnemers' : 'Deelnemers'}</h1>
      <p class="lead">{mine ? 'De bestuyvers die jij opvolgt.' : 'De bestuyvers van je Stuyfplek.'}</p>
      <form method="get" action="/deelnemers" class="card filters" role="search" aria-label="Zoek en filter">
        <TextField prefix="filter" name="zoek" label="Naam" type="text" state={{ values: { zoek: filter.search ?? '' }, errors: {} }} />
        <Select prefix="filter" name="fase" label="Fase" options={optionsFrom(PHASES, PHASE_LABELS)} placeholder="Alle fasen" value={filter.phase} required />
        {mine ? null : (
          <Select prefix="filter" name="coach" label="Coach" options={coaches.map((c) => [c.id, c.name] as const)} placeholder="Alle coaches" value={filter.coach} required />
        )}
        <div>
          <button type="submit" class="secondary">
            Zoek
          </button>
        </div>
      </form>
      <p class="muted" role="status">
        {list.total === 1 ? '1 deelnemer' : `${list.total} deelnemers`}
        {filtered ? ' gevonden' : ''}
      </p>
      {participants.length === 0 ? (
        <p>Geen deelnemers gevonden{filtered ? ' met deze zoekopdracht of filter' : ''}.</p>
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
      <Paging list={list} filter={filter} />
    </>
  );
}
