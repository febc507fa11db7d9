import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context.js';

/**
 * What every page behind a signed link shares (a participant's own page, a partner's referral
 * answer): the token in the address is the only credential, so the address must not leak —
 * no referrer to any other page, no search engine, no cache — and every way a link can fail
 * (changed, another person's, expired, revoked, erased) gets the same page, which says nothing
 * about why.
 */
export const linkPageHeaders: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  c.header('Referrer-Policy', 'no-referrer');
  c.header('X-Robots-Tag', 'noindex, nofollow');
  c.header('Cache-Control', 'no-store');
};

export function InvalidLinkPage() {
  return (
    <>
      <h1>Deze link werkt niet</h1>
      <p>De link is niet (meer) geldig. Misschien is hij verlopen, of werd hij niet volledig gekopieerd.</p>
      <p>Vraag je coach of het onthaal van de Stuyfplek om een nieuwe link.</p>
    </>
  );
}

/** One answer for every bad link: the same status, title and text, whatever the reason. */
export function invalidLink(c: Context<AppEnv>) {
  c.status(404);
  return c.render(<InvalidLinkPage />, { title: 'Deze link werkt niet', noindex: true });
}
