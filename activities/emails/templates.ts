import { GROUP_MOMENT_LABELS, PARTNER_LABELS, type EmailTemplate, type GroupMomentKind, type Partner } from '../../domain/codes.js';
import { parseLocalDate } from '../../domain/calendar.js';
import { compose, type RenderedEmail } from './layout.js';

/**
 * The emails people receive, in Dutch (Flemish usage). Templates get the recipient's first name
 * and the workflow's codes and dates; nothing else about the person.
 */

export interface TemplateInput {
  firstName: string;
  params: Record<string, string | number>;
  optOutUrl: string;
  appUrl: string;
  /** A partner's referral email: the signed link, the Stuyfplek and the coach (never the participant). */
  partner?: { linkUrl: string; siteName: string; coachName: string; expiresOn: string };
  /** The participant's own page (a signed link); never in a coach's email. */
  pageUrl?: string | undefined;
}

/** Emails to coaches: they get no participant page link. */
export function isCoachTemplate(template: EmailTemplate): boolean {
  return template.startsWith('coach_');
}

const MONTHS = ['januari', 'februari', 'maart', 'april', 'mei', 'juni', 'juli', 'augustus', 'september', 'oktober', 'november', 'december'];

/** 2027-01-31 → "31 januari 2027". */
export function dutchDate(text: string | number | undefined): string {
  if (typeof text !== 'string') return '';
  const d = parseLocalDate(text);
  return `${d.day} ${MONTHS[d.month - 1]} ${d.year}`;
}

export const templates: Record<EmailTemplate, (i: TemplateInput) => RenderedEmail> = {
  welcome: (i) =>
    compose({
      subject: 'Welkom in de Stuyfplek',
      greeting: `Dag ${i.firstName},`,
      paragraphs: [
        'Fijn dat je er bent! Vanaf nu ben je welkom in de Stuyfplek: om te ontdekken wat er allemaal is, om anderen te ontmoeten en om samen te stuyven.',
        'Kom gerust langs op een open huys of schuif aan bij de connectorstafel. Je hoeft niets voor te bereiden: je bent niet alleen met je vragen.',
        'Je coach neemt binnenkort contact met je op.',
      ],
      optOutUrl: i.optOutUrl,
      pageUrl: i.pageUrl,
    }),
  agreement_confirmation: (i) =>
    compose({
      subject: i.params.renewed ? 'Je groeiovereenkomst is verlengd' : 'Je groeiovereenkomst is getekend',
      greeting: `Dag ${i.firstName},`,
      paragraphs: [
        i.params.renewed
          ? `Je groeiovereenkomst loopt een jaar verder: van ${dutchDate(i.params.startDate)} tot ${dutchDate(i.params.endDate)}.`
          : `Proficiat! Je groeiovereenkomst loopt van ${dutchDate(i.params.startDate)} tot ${dutchDate(i.params.endDate)}.`,
        'Het is een afspraak met jezelf, met je coach en met de Stuyfplek. Je komt regelmatig naar de momenten die je koos, en je kan rekenen op de ruimte, de middelen en het netwerk van de Stuyfplek.',
        'Stap voor stap werken we samen aan jouw doel.',
      ],
      optOutUrl: i.optOutUrl,
      pageUrl: i.pageUrl,
    }),
  agreement_ending_soon: (i) =>
    compose({
      subject: 'Je groeiovereenkomst loopt binnenkort af',
      greeting: `Dag ${i.firstName},`,
      paragraphs: [
        `Je groeiovereenkomst loopt af op ${dutchDate(i.params.endDate)}.`,
        'Je coach plant graag een gesprek om samen terug te kijken: wat lukte er, wat wil je nog, en hoe gaan we verder?',
      ],
      optOutUrl: i.optOutUrl,
      pageUrl: i.pageUrl,
    }),
  aftercare_check_in: (i) =>
    compose({
      subject: 'Hoe gaat het met je?',
      greeting: `Dag ${i.firstName},`,
      paragraphs: [
        'Het is al een tijdje geleden dat we elkaar zagen. We zijn benieuwd hoe het met je gaat!',
        'Je blijft altijd welkom in de Stuyfplek: op een stuyflab, een open huys of gewoon voor een babbel. Heb je zin om eens bij te praten? Laat het ons weten.',
      ],
      optOutUrl: i.optOutUrl,
      pageUrl: i.pageUrl,
    }),
  group_moment_invitation: (i) =>
    compose({
      subject: 'Je bent welkom op een groepsmoment',
      greeting: `Dag ${i.firstName},`,
      paragraphs: [
        `Binnenkort is er een ${(GROUP_MOMENT_LABELS[i.params.kind as GroupMomentKind] ?? 'groepsmoment').toLowerCase()}${i.params.date ? ` op ${dutchDate(i.params.date)}` : ''} in de Stuyfplek.`,
        'Kom gerust langs: iedereen brengt iets mee, al is het maar een vraag.',
      ],
      optOutUrl: i.optOutUrl,
      pageUrl: i.pageUrl,
    }),
  meet_and_greet_invitation: (i) =>
    compose({
      subject: 'Uitnodiging: de jaarlijkse meet & greet van de Stuyfplek',
      greeting: `Dag ${i.firstName},`,
      paragraphs: [
        'Eén keer per jaar komen alle bestuyvers samen: wie er nu is en wie er vroeger was. We delen verhalen, leggen nieuwe contacten en vieren wat er gegroeid is.',
        i.params.date ? `Dit jaar is dat op ${dutchDate(i.params.date)}. We zien je graag!` : 'We zien je graag!',
      ],
      optOutUrl: i.optOutUrl,
      pageUrl: i.pageUrl,
    }),
  coach_new_participant: (i) =>
    compose({
      subject: 'Nieuwe deelnemer voor jou',
      greeting: `Dag ${i.firstName},`,
      paragraphs: [
        'Er is een nieuwe deelnemer aan jou toegewezen.',
        `Bekijk het groeipad: ${i.appUrl}/deelnemers/${String(i.params.participantId ?? '')}`,
      ],
      optOutUrl: i.optOutUrl,
      signature: 'Groeipad',
    }),
  coach_daily_digest: (i) =>
    compose({
      subject: `Je taken voor vandaag: ${i.params.due ?? 0} te doen, ${i.params.overdue ?? 0} achterstallig`,
      greeting: `Dag ${i.firstName},`,
      paragraphs: [
        `Vandaag staan er ${i.params.due ?? 0} taken voor je klaar, en ${i.params.overdue ?? 0} zijn over tijd.`,
        `Bekijk ze op ${i.appUrl}/taken`,
      ],
      optOutUrl: i.optOutUrl,
      signature: 'Groeipad',
    }),
  // ESF+: some months after leaving (the wait is configurable: the text names the day of leaving,
  // not the span), one short question, answered on their own page (the link this email carries,
  // like every email to a participant). No pressure: not answering is fine too. `back`: the person
  // is on the path again (a re-entry), so no "step outside the Stuyfplek".
  esf_follow_up_question: (i) => {
    const left = i.params.leftOn ? ` op ${dutchDate(i.params.leftOn)}` : '';
    return compose({
      subject: 'Een korte vraag: werk je op dit moment?',
      greeting: `Dag ${i.firstName},`,
      paragraphs: [
        i.params.back
          ? `Je rondde${left} een groeipad bij de Stuyfplek af, en fijn dat je er nu opnieuw bij bent! Over de tijd sindsdien hebben we één korte vraag.`
          : `Sinds je vertrek bij de Stuyfplek${left} is er wat tijd voorbijgegaan. We zijn benieuwd hoe het nu met je gaat!`,
        'Mogen we je één korte vraag stellen: werk je op dit moment (ook als zelfstandige)? Je antwoordt op je eigen pagina, via de link hieronder: kies je antwoord en verstuur het. Liever niet antwoorden mag ook.',
        'Je blijft altijd welkom in de Stuyfplek.',
      ],
      optOutUrl: i.optOutUrl,
      pageUrl: i.pageUrl,
    });
  },
  // To a partner organisation, about a person it does not know yet: no name, no data of the
  // participant at all (email is easily forwarded); the page behind the link shows what the
  // participant agreed to share. No opt-out link: the partner is on no list of ours.
  partner_referral: (i) =>
    compose({
      subject: `Warme doorverwijzing vanuit ${i.partner?.siteName ?? 'de Stuyfplek'}`,
      greeting: 'Dag,',
      paragraphs: [
        `${i.partner?.coachName ?? 'Een coach'} van ${i.partner?.siteName ?? 'de Stuyfplek'} stelt iemand aan jullie voor${
          i.params.partner ? ` (${PARTNER_LABELS[i.params.partner as Partner] ?? 'partner'})` : ''
        }. Die persoon weet hiervan en koos zelf wat we met jullie delen.`,
        `Via deze link zie je de gegevens en laat je weten of jullie de doorverwijzing aanvaarden, een eerste afspraak plannen of ze niet kunnen opnemen: ${i.partner?.linkUrl ?? ''}`,
        `De link is persoonlijk en werkt tot ${dutchDate(i.partner?.expiresOn)}. Stuur hem niet door.`,
      ],
      signature: `Met warme groet, ${i.partner?.coachName ?? 'de Stuyfplek'}`,
    }),
};
