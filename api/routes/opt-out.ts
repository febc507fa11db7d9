import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import { isValidOptOut, recordOptOut } from '../../activities/opt-out.js';
import type { AppEnv } from '../context.js';

/**
 * The opt-out link in every email: `/afmelden/:personId/:token`. GET shows a confirmation page
 * with a button (mail scanners follow links; only a person presses the button), POST records the
 * opt-out. No sign-in: the signed token is the proof. Pages are in Dutch and stand alone.
 */
export const optOutRoutes = new Hono<AppEnv>();

function page(c: Context<AppEnv>, status: 200 | 404, title: string, body: ReturnType<typeof html>) {
  c.header('Cache-Control', 'no-store');
  c.header('X-Robots-Tag', 'noindex');
  return c.html(
    html`<!doctype html>
<html lang="nl-BE">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${title} · Stuyfplek</title>
    <style>
      body { font-family: system-ui, sans-serif; font-size: 1.125rem; line-height: 1.5; color: #1f2933; max-width: 34rem; margin: 2rem auto; padding: 0 1rem; }
      button { font: inherit; padding: 0.75rem 1.25rem; border-radius: 0.5rem; border: 2px solid #1f4e79; background: #1f4e79; color: #fff; cursor: pointer; }
      button:focus-visible { outline: 3px solid #f0b429; outline-offset: 2px; }
    </style>
  </head>
  <body>
    <main>
      <h1>${title}</h1>
      ${body}
    </main>
  </body>
</html>`,
    status,
  );
}

const invalid = (c: Context<AppEnv>) =>
  page(c, 404, 'Deze link werkt niet', html`<p>Deze afmeldlink klopt niet of is onvolledig. Kopieer de volledige link uit de e-mail, of laat het ons weten in de Stuyfplek.</p>`);

optOutRoutes.get('/:personId/:token', (c) => {
  const { personId, token } = c.req.param();
  if (!isValidOptOut(personId, token, c.var.deps.config.SUPABASE_JWT_SECRET)) return invalid(c);
  return page(
    c,
    200,
    'Geen e-mails meer ontvangen?',
    html`<p>Als je je afmeldt, sturen we je geen e-mails meer: geen uitnodigingen, geen berichten over je groeipad.</p>
      <p>Je blijft altijd welkom in de Stuyfplek.</p>
      <form method="post">
        <button type="submit">Ja, meld me af</button>
      </form>`,
  );
});

optOutRoutes.post('/:personId/:token', async (c) => {
  const { personId, token } = c.req.param();
  const result = await recordOptOut(c.var.deps.db, personId, token, c.var.deps.config.SUPABASE_JWT_SECRET);
  if (result === 'invalid') return invalid(c);
  return page(
    c,
    200,
    'Je bent afgemeld',
    html`<p>We sturen je geen e-mails meer.</p>
      <p>Toch weer berichten ontvangen? Vraag het aan je coach of aan het onthaal van de Stuyfplek.</p>`,
  );
});
