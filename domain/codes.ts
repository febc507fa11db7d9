/**
 * The domain's vocabularies, as codes. Code names follow the methodology's English terms; the Dutch labels
 * are what people read. Workflows carry only these codes, never free text.
 */

export const PHASES = ['orientation', 'focus', 'activation'] as const;
export type Phase = (typeof PHASES)[number];
export const PHASE_LABELS: Record<Phase, string> = {
  orientation: 'Oriëntatie',
  focus: 'Focus',
  activation: 'Activering',
};

export const REFERRAL_SOURCES = [
  'ocmw',
  'vdab',
  'unizo',
  'sif',
  'starterslabo',
  'gtb',
  'advising_physician',
  'general_practitioner',
  'care_facility',
  'self',
  'word_of_mouth',
  'other',
] as const;
export type ReferralSource = (typeof REFERRAL_SOURCES)[number];
export const REFERRAL_SOURCE_LABELS: Record<ReferralSource, string> = {
  ocmw: 'OCMW',
  vdab: 'VDAB',
  unizo: 'Unizo',
  sif: 'Sociale InnovatieFabriek (SIF)',
  starterslabo: 'Starterslabo',
  gtb: 'GTB',
  advising_physician: 'Adviserend geneesheer',
  general_practitioner: 'Huisarts',
  care_facility: 'Zorg- of welzijnsvoorziening',
  self: 'Op eigen initiatief',
  word_of_mouth: 'Mond-tot-mondreclame',
  other: 'Andere',
};

export const CRISIS_KINDS = ['focus_crisis', 'status_crisis'] as const;
export type CrisisKind = (typeof CRISIS_KINDS)[number];
export const CRISIS_LABELS: Record<CrisisKind, string> = {
  focus_crisis: 'Focuscrisis',
  status_crisis: 'Statuut-crisis',
};

/** A crisis in this phase proposes a move to that phase; the coach confirms or not. */
export const CRISIS_PROPOSALS: Record<CrisisKind, { from: Phase; to: Phase }> = {
  focus_crisis: { from: 'orientation', to: 'focus' },
  status_crisis: { from: 'focus', to: 'activation' },
};

export const PHASE_CHANGE_REASONS = [
  'crisis',
  'ready_for_next_step',
  'step_back',
  'participant_request',
  'coach_assessment',
  're_entry',
  'other',
] as const;
export type PhaseChangeReason = (typeof PHASE_CHANGE_REASONS)[number];
export const PHASE_CHANGE_REASON_LABELS: Record<PhaseChangeReason, string> = {
  crisis: 'Na een crisis',
  ready_for_next_step: 'Klaar voor een volgende stap',
  step_back: 'Even een stap terug',
  participant_request: 'Op vraag van de deelnemer',
  coach_assessment: 'Inschatting van de coach',
  re_entry: 'Terugkeer na uitstroom',
  other: 'Andere reden',
};

export const GROUP_MOMENT_KINDS = ['connectors_table', 'open_house', 'coworking', 'stuyflab', 'meet_and_greet'] as const;
export type GroupMomentKind = (typeof GROUP_MOMENT_KINDS)[number];
export const GROUP_MOMENT_LABELS: Record<GroupMomentKind, string> = {
  connectors_table: 'Connectorstafel',
  open_house: 'Open huys',
  coworking: 'Cowerkmoment of cowerklab',
  stuyflab: 'Stuyflab',
  meet_and_greet: 'Meet & greet',
};

/** The key of a participant's invitation email to a group moment: once per kind, date and person, whoever invites. */
export function groupMomentEmailKey(kind: GroupMomentKind, date: string, participantId: string): string {
  return `group_moment/${kind}/${date}/${participantId}`;
}

export const PRIVILEGES = ['space', 'resources', 'network'] as const;
export type Privilege = (typeof PRIVILEGES)[number];
export const PRIVILEGE_LABELS: Record<Privilege, string> = {
  space: 'Gebruik van de ruimte',
  resources: 'Middelen',
  network: 'Het netwerk',
};

export const CONTACT_KINDS = ['conversation', 'group_moment', 'reply'] as const;
export type ContactKind = (typeof CONTACT_KINDS)[number];
export const CONTACT_LABELS: Record<ContactKind, string> = {
  conversation: 'Gesprek',
  group_moment: 'Groepsmoment',
  reply: 'Antwoord of bericht',
};

export const PARTNERS = [
  'ocmw',
  'vdab',
  'unizo',
  'sif',
  'starterslabo',
  'smart',
  'gtb',
  'doctor',
  'care_facility',
  'other',
] as const;
export type Partner = (typeof PARTNERS)[number];
export const PARTNER_LABELS: Record<Partner, string> = {
  ocmw: 'OCMW',
  vdab: 'VDAB',
  unizo: 'Unizo',
  sif: 'Sociale InnovatieFabriek',
  starterslabo: 'Starterslabo',
  smart: 'SMART',
  gtb: 'GTB',
  doctor: 'Arts',
  care_facility: 'Zorg- of welzijnsvoorziening',
  other: 'Andere partner',
};

export const REFERRAL_STATUSES = ['proposed', 'introduced', 'accepted', 'declined'] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];
export const REFERRAL_STATUS_LABELS: Record<ReferralStatus, string> = {
  proposed: 'Voorgesteld',
  introduced: 'Geïntroduceerd',
  accepted: 'Aanvaard',
  declined: 'Afgewezen',
};
/** proposed → introduced → accepted / declined; a referral only moves forward. */
export const REFERRAL_NEXT: Record<ReferralStatus, readonly ReferralStatus[]> = {
  proposed: ['introduced', 'declined'],
  introduced: ['accepted', 'declined'],
  accepted: [],
  declined: [],
};

/**
 * What a partner answers on its referral link: the referral is accepted, declined, or accepted
 * with a first appointment on a date (an appointment counts as accepted and keeps its date).
 */
export const PARTNER_ANSWERS = ['accepted', 'declined', 'appointment'] as const;
export type PartnerAnswer = (typeof PARTNER_ANSWERS)[number];
export const PARTNER_ANSWER_LABELS: Record<PartnerAnswer, string> = {
  accepted: 'Aanvaard',
  declined: 'Afgewezen',
  appointment: 'Eerste afspraak gepland',
};
/** The referral's status an answer leads to. */
export const PARTNER_ANSWER_STATUS: Record<PartnerAnswer, ReferralStatus> = {
  accepted: 'accepted',
  declined: 'declined',
  appointment: 'accepted',
};

/**
 * What a participant may agree to share with a partner for one referral, field by field. The
 * first name is the only one checked by default: a warm referral is a person introduced by name;
 * everything else the participant chooses.
 */
export const SHARED_FIELDS = ['first_name', 'last_name', 'email', 'phone', 'birth_date', 'note'] as const;
export type SharedField = (typeof SHARED_FIELDS)[number];
export const SHARED_FIELD_LABELS: Record<SharedField, string> = {
  first_name: 'Voornaam',
  last_name: 'Familienaam',
  email: 'E-mailadres',
  phone: 'Telefoonnummer',
  birth_date: 'Geboortedatum',
  note: 'Introductie door de coach',
};

export const OUTFLOW_TYPES = [
  'regular_job',
  'article_60',
  'social_economy_job',
  'structural_volunteering',
  'self_employed',
  'smart',
  'own_nonprofit',
  'artist_status',
  'education',
  'referred_elsewhere',
  'stopped',
  'other',
] as const;
export type OutflowType = (typeof OUTFLOW_TYPES)[number];
export const OUTFLOW_LABELS: Record<OutflowType, string> = {
  regular_job: 'Reguliere job',
  article_60: 'Job via artikel 60',
  social_economy_job: 'Job in de sociale economie',
  structural_volunteering: 'Structureel vrijwilligerswerk',
  self_employed: 'Zelfstandige / eigen onderneming',
  smart: 'Werken via SMART',
  own_nonprofit: 'Eigen vzw of collectief',
  artist_status: 'Kunstenaarsstatuut',
  education: 'Opleiding of vorming',
  referred_elsewhere: 'Doorverwezen naar een andere dienst',
  stopped: 'Gestopt of contact verloren',
  other: 'Andere',
};

/**
 * A move back to orientation while an agreement runs: the agreement continues (its clock runs
 * on), pauses (its end and evaluation move by the pause, in calendar days, when the coach resumes
 * it) or ends.
 */
export const AGREEMENT_CHOICES = ['continue', 'pause', 'end'] as const;
export type AgreementChoice = (typeof AGREEMENT_CHOICES)[number];
export const AGREEMENT_CHOICE_LABELS: Record<AgreementChoice, string> = {
  continue: 'De groeiovereenkomst loopt gewoon door',
  pause: 'De groeiovereenkomst pauzeert (de einddatum schuift op)',
  end: 'De groeiovereenkomst stopt',
};

/** How aftercare ended: the coach had the reconnect conversation, or the grace period passed without it. */
export const AFTERCARE_OUTCOMES = ['reached', 'not_reached'] as const;
export type AftercareOutcome = (typeof AFTERCARE_OUTCOMES)[number];
export const AFTERCARE_OUTCOME_LABELS: Record<AftercareOutcome, string> = {
  reached: 'Nazorggesprek gehad',
  not_reached: 'Niet bereikt',
};

export const STEP_STATUSES = ['done', 'needed'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/** What shows that a step was taken, when the coach validates it. */
export const STEP_EVIDENCE = ['observed', 'group_moment', 'partner', 'certificate', 'work'] as const;
export type StepEvidence = (typeof STEP_EVIDENCE)[number];
export const STEP_EVIDENCE_LABELS: Record<StepEvidence, string> = {
  observed: 'De coach zag het gebeuren',
  group_moment: 'Getoond op een groepsmoment',
  partner: 'Bevestigd door een partnerorganisatie',
  certificate: 'Attest of certificaat',
  work: 'Iets wat de deelnemer zelf maakte',
};

export const TASK_KINDS = [
  'coaching_conversation',
  'agreement_evaluation',
  'check_in',
  'reach_out',
  'referral_follow_up',
  'aftercare_reconnect',
  'esf_entry_incomplete',
  'esf_leaving_result',
  'esf_follow_up',
] as const;
export type TaskKind = (typeof TASK_KINDS)[number];
export const TASK_LABELS: Record<TaskKind, string> = {
  coaching_conversation: 'Coachingsgesprek plannen',
  agreement_evaluation: 'Groeiovereenkomst evalueren',
  check_in: 'Even inchecken',
  reach_out: 'Contact opnemen',
  referral_follow_up: 'Nagaan of de doorverwijzing gelukt is',
  aftercare_reconnect: 'Nazorg: opnieuw contact leggen',
  esf_entry_incomplete: 'ESF-gegevens bij de start aanvullen',
  esf_leaving_result: 'ESF-resultaat na uitstroom noteren',
  esf_follow_up: 'Zes maanden na uitstroom: vragen of de deelnemer werkt',
};

export const EMAIL_TEMPLATES = [
  'welcome',
  'agreement_confirmation',
  'agreement_ending_soon',
  'aftercare_check_in',
  'group_moment_invitation',
  'meet_and_greet_invitation',
  'coach_new_participant',
  'coach_daily_digest',
  'partner_referral',
  'esf_follow_up_question',
] as const;
export type EmailTemplate = (typeof EMAIL_TEMPLATES)[number];

/** Why a participant's personal data is erased (the "forget" action); kept with the anonymous figures. */
export const ERASURE_REASONS = ['participant_request', 'registered_by_mistake', 'retention_ended'] as const;
export type ErasureReason = (typeof ERASURE_REASONS)[number];
export const ERASURE_REASON_LABELS: Record<ErasureReason, string> = {
  participant_request: 'De deelnemer vroeg het',
  registered_by_mistake: 'Per vergissing ingeschreven',
  retention_ended: 'De bewaartermijn is voorbij',
};
