import { TASK_LABELS } from '../../../domain/codes.js';
import type { MyTask, TaskScope, TaskWindow } from '../../queries.js';
import { Notice, Select } from '../components.js';
import { formatDate } from '../labels.js';

export const TASK_WINDOW_PARAM: Record<TaskWindow, string> = { open: 'alle', due: 'vandaag', overdue: 'te-laat' };
const WINDOW_LABELS: Record<TaskWindow, string> = { open: 'Alle open taken', due: 'Tegen vandaag', overdue: 'Te laat' };

/** What staff see besides their own tasks: whose tasks are shown, the site's coaches, and names for the assignees. */
export interface StaffTaskView {
  whose: TaskScope;
  coaches: Array<{ id: string; name: string }>;
  names: Map<string, string>;
}

/** The `van` parameter of a staff view. */
function whoseParam(whose: TaskScope): string {
  return whose.scope !== 'site' ? '' : (whose.coachId ?? 'iedereen');
}

function tasksHref(when: TaskWindow, whose: TaskScope | undefined): string {
  const van = whose ? whoseParam(whose) : '';
  return `/taken?wanneer=${TASK_WINDOW_PARAM[when]}${van ? `&van=${encodeURIComponent(van)}` : ''}`;
}

export function TasksPage({
  tasks,
  when,
  done,
  problem,
  staff,
}: {
  tasks: MyTask[];
  when: TaskWindow;
  done?: boolean;
  problem?: string | undefined;
  staff?: StaffTaskView | undefined;
}) {
  const now = Date.now();
  const whose = staff?.whose;
  const siteView = whose?.scope === 'site';
  return (
    <>
      <h1>{siteView ? 'Taken van de Stuyfplek' : 'Mijn taken'}</h1>
      {done ? (
        <Notice kind="ok">
          <p>De taak is afgewerkt.</p>
        </Notice>
      ) : null}
      {problem ? (
        <Notice kind="error">
          <p>{problem}</p>
        </Notice>
      ) : null}
      {staff ? (
        <form method="get" action="/taken" class="card filters" aria-label="Van wie">
          <input type="hidden" name="wanneer" value={TASK_WINDOW_PARAM[when]} />
          <Select
            prefix="taken"
            name="van"
            label="Van wie?"
            options={[['', 'Mijn taken en de niet-toegewezen'], ['iedereen', 'Iedereen van de Stuyfplek'], ...staff.coaches.map((c) => [c.id, `Coach: ${c.name}`] as const)]}
            value={whose ? whoseParam(whose) : ''}
          />
          <div>
            <button type="submit" class="secondary">
              Toon
            </button>
          </div>
        </form>
      ) : null}
      <nav aria-label="Welke taken" class="actions-row">
        {(Object.keys(TASK_WINDOW_PARAM) as TaskWindow[]).map((w) => (
          <a class={w === when ? 'button' : 'button secondary'} href={tasksHref(w, whose)} aria-current={w === when ? 'page' : undefined}>
            {WINDOW_LABELS[w]}
          </a>
        ))}
      </nav>
      <h2>{WINDOW_LABELS[when]}</h2>
      {tasks.length === 0 ? (
        <p>Niets te doen hier. Goed bezig!</p>
      ) : (
        <ul class="list">
          {tasks.map((t) => (
            <li>
              <div class="title">{TASK_LABELS[t.kind]}</div>
              <p class="meta">
                <a href={`/deelnemers/${t.participantId}`}>{t.participantName}</a> · tegen {formatDate(t.dueAt)}
                {siteView ? ` · ${t.assigneeId ? (staff?.names.get(t.assigneeId) ?? 'coach') : 'niet toegewezen'}` : ''}{' '}
                {t.overdue ? <span class="badge late">te laat</span> : Date.parse(t.dueAt) <= now ? <span class="badge today">vandaag</span> : null}
              </p>
              <form method="post" action={`/taken/${t.id}/afgewerkt`}>
                <input type="hidden" name="terug" value={tasksHref(when, whose)} />
                <button type="submit" class="secondary small">
                  Afgewerkt
                </button>
              </form>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
