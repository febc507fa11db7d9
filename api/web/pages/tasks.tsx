import { TASK_LABELS } from '../../../domain/codes.js';
import type { MyTask, TaskWindow } from '../../queries.js';
import { Notice } from '../components.js';
import { formatDate } from '../labels.js';

export const TASK_WINDOW_PARAM: Record<TaskWindow, string> = { open: 'alle', due: 'vandaag', overdue: 'te-laat' };
const WINDOW_LABELS: Record<TaskWindow, string> = { open: 'Alle open taken', due: 'Tegen vandaag', overdue: 'Te laat' };

export function TasksPage({ tasks, when, done, problem }: { tasks: MyTask[]; when: TaskWindow; done?: boolean; problem?: string | undefined }) {
  const now = Date.now();
  return (
    <>
      <h1>Mijn taken</h1>
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
      <nav aria-label="Welke taken" class="actions-row">
        {(Object.keys(TASK_WINDOW_PARAM) as TaskWindow[]).map((w) => (
          <a class={w === when ? 'button' : 'button secondary'} href={`/taken?wanneer=${TASK_WINDOW_PARAM[w]}`} aria-current={w === when ? 'page' : undefined}>
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
                <a href={`/deelnemers/${t.participantId}`}>{t.participantName}</a> · tegen {formatDate(t.dueAt)}{' '}
                {t.overdue ? <span class="badge late">te laat</span> : Date.parse(t.dueAt) <= now ? <span class="badge today">vandaag</span> : null}
              </p>
              <form method="post" action={`/taken/${t.id}/afgewerkt`}>
                <input type="hidden" name="terug" value={`/taken?wanneer=${TASK_WINDOW_PARAM[when]}`} />
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
