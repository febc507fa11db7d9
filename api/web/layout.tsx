import type { Context } from 'hono';
import type { PropsWithChildren } from 'hono/jsx';
import { jsxRenderer } from 'hono/jsx-renderer';
import type { AppEnv } from '../context.js';
import { ROLE_LABELS } from './labels.js';

declare module 'hono' {
  interface ContextRenderer {
    (content: string | Promise<string>, props: { title: string; noindex?: boolean }): Response | Promise<Response>;
  }
}

interface NavItem {
  href: string;
  label: string;
}

function navFor(role: 'staff' | 'coach' | 'coordinator' | 'facilitator'): NavItem[] {
  switch (role) {
    case 'coach':
      return [
        { href: '/deelnemers', label: 'Mijn deelnemers' },
        { href: '/taken', label: 'Mijn taken' },
        { href: '/groepsmomenten', label: 'Groepsmomenten' },
      ];
    case 'staff':
      return [
        { href: '/deelnemers', label: 'Deelnemers' },
        { href: '/inschrijving', label: 'Inschrijving' },
        { href: '/taken', label: 'Taken' },
        { href: '/groepsmomenten', label: 'Groepsmomenten' },
      ];
    case 'facilitator':
      return [{ href: '/groepsmomenten', label: 'Groepsmomenten' }];
    case 'coordinator':
      return [{ href: '/rapport', label: 'Rapport' }];
  }
}

function Layout({ children, title, noindex, c }: PropsWithChildren<{ title: string; noindex?: boolean | undefined; c: Context<AppEnv> }>) {
  const user = c.var.user;
  const path = c.req.path;
  return (
    <html lang="nl-BE">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light" />
        {noindex ? <meta name="robots" content="noindex, nofollow" /> : null}
        <title>{`${title} · groeipad`}</title>
        <link rel="stylesheet" href="/static/app.css" />
      </head>
      <body>
        <a class="skip" href="#inhoud">
          Naar de inhoud
        </a>
        <header class="top">
          <div class="top-row">
            <a class="brand" href="/">
              groeipad <span>Stuyfplek</span>
            </a>
            {user ? (
              <div class="who">
                <span>
                  {user.name}
                  <span class="visually-hidden"> ({ROLE_LABELS[user.role]})</span>
                </span>
                <form method="post" action="/uitloggen">
                  <button type="submit">Afmelden</button>
                </form>
              </div>
            ) : null}
          </div>
          {user ? (
            <nav class="main" aria-label="Hoofdmenu">
              {navFor(user.role).map((item) => (
                <a href={item.href} aria-current={path === item.href || path.startsWith(`${item.href}/`) ? 'page' : undefined}>
                  {item.label}
                </a>
              ))}
            </nav>
          ) : null}
        </header>
        <main id="inhoud" tabindex={-1}>
          {children}
        </main>
        <footer>groeipad · samen groeien in de Stuyfplek</footer>
      </body>
    </html>
  );
}

/** One layout for every page: `c.render(<Page />, { title })`. */
export const renderer = jsxRenderer<AppEnv>(({ children, title, noindex }, c) => (
  <Layout title={title} noindex={noindex} c={c as Context<AppEnv>}>
    {children}
  </Layout>
));
