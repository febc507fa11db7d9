/** The frame every email shares: a greeting, the body, and a way to opt out. */

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The line that carries the participant's own page link, in the text and the HTML version. */
export const PAGE_LINK_TEXT = 'Bekijk je groeipad:';

/** `optOutUrl`: omitted for people who are on no list of ours (a partner answering a referral). */
export function compose(o: { subject: string; greeting: string; paragraphs: string[]; optOutUrl?: string; pageUrl?: string | undefined; signature?: string }): RenderedEmail {
  const signature = o.signature ?? 'Tot snel in de Stuyfplek!';
  const text = [
    o.greeting,
    '',
    ...o.paragraphs.flatMap((p) => [p, '']),
    ...(o.pageUrl ? [`${PAGE_LINK_TEXT} ${o.pageUrl}`, ''] : []),
    signature,
    ...(o.optOutUrl ? ['', '—', `Liever geen e-mails meer van ons? Meld je af: ${o.optOutUrl}`] : []),
  ].join('\n');
  const html = `<!doctype html><html lang="nl"><body style="font-family:Arial,sans-serif;font-size:16px;line-height:1.5;color:#1f2933;max-width:36rem">
<p>${escapeHtml(o.greeting)}</p>
${o.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}
${o.pageUrl ? `<p>${escapeHtml(PAGE_LINK_TEXT)} <a href="${escapeHtml(o.pageUrl)}">${escapeHtml(o.pageUrl)}</a></p>\n` : ''}<p>${escapeHtml(signature)}</p>
${o.optOutUrl ? `<hr><p style="font-size:13px;color:#52606d">Liever geen e-mails meer van ons? <a href="${escapeHtml(o.optOutUrl)}">Meld je hier af</a>.</p>
` : ''}</body></html>`;
  return { subject: o.subject, html, text };
}
