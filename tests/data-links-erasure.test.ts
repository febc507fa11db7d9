import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertParticipant } from './support/data-fixtures.js';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * A forgotten person gets no new link, also when the erasure and the email dispatcher's link
 * (made as it renders an email) meet (supabase/migrations/20261130110000_no_links_after_erasure.sql).
 */
let stack: TestStack;
let siteId: string;
let coachId: string;

beforeAll(async () => {
  stack = await startTestStack({}, { worker: 'none' });
  siteId = await stack.site('Stuyfplek Links');
  coachId = (await stack.person('coach', siteId)).id;
});
afterAll(async () => {
  await stack?.stop();
});

const INSERT_LINK = `insert into public.access_links (participant_id, site_id, purpose, expires_at) values ($1, $2, 'participant_page', now() + interval '30 days')`;
const liveLinks = async (participantId: string) =>
  Number((await stack.sql.query<{ n: string }>('select count(*) as n from public.access_links where participant_id = $1 and revoked_at is null', [participantId])).rows[0]!.n);
const refusal = (err: unknown) => (err as { hint?: string }).hint;

describe('links and erasure', () => {
  it('an erased person gets no new link', async () => {
    const participantId = await insertParticipant(stack, { siteId, coachId });
    await stack.sql.query(INSERT_LINK, [participantId, siteId]);
    await stack.sql.query('select public.erase_participant($1)', [participantId]);
    expect(await liveLinks(participantId)).toBe(0);
    const err = await stack.sql.query(INSERT_LINK, [participantId, siteId]).catch((e: unknown) => e);
    expect(refusal(err)).toBe('ParticipantErased');
    expect(await liveLinks(participantId)).toBe(0);
  });

  it('an erasure that comes while a link is being made waits for it, then revokes it', async () => {
    const participantId = await insertParticipant(stack, { siteId, coachId });
    const dispatcher = await stack.sql.connect();
    const erasure = await stack.sql.connect();
    try {
      await dispatcher.query('begin');
      await dispatcher.query(INSERT_LINK, [participantId, siteId]);
      let erased = false;
      const erasing = erasure.query('select public.erase_participant($1)', [participantId]).then(() => (erased = true));
      await new Promise((r) => setTimeout(r, 300));
      expect(erased).toBe(false);
      await dispatcher.query('commit');
      await erasing;
    } finally {
      await dispatcher.query('rollback').catch(() => {});
      dispatcher.release();
      erasure.release();
    }
    // The stack's pool has two connections, both taken above until now.
    expect(await liveLinks(participantId)).toBe(0);
  });

  it('a link asked for while the erasure runs waits for it, then is refused', async () => {
    const participantId = await insertParticipant(stack, { siteId, coachId });
    const dispatcher = await stack.sql.connect();
    const erasure = await stack.sql.connect();
    try {
      await erasure.query('begin');
      await erasure.query('select public.erase_participant($1)', [participantId]);
      let settled = false;
      const linking = dispatcher.query(INSERT_LINK, [participantId, siteId]).then(
        () => ((settled = true), 'made'),
        (err: unknown) => ((settled = true), refusal(err)),
      );
      await new Promise((r) => setTimeout(r, 300));
      expect(settled).toBe(false);
      await erasure.query('commit');
      expect(await linking).toBe('ParticipantErased');
    } finally {
      await erasure.query('rollback').catch(() => {});
      dispatcher.release();
      erasure.release();
    }
    expect(await liveLinks(participantId)).toBe(0);
  });
});
