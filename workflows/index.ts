// The only entry the worker bundles. Workflow files import @temporalio/workflow, activity types
// and domain/ (pure) only; eslint keeps Node built-ins and I/O clients out.
export { participantPath } from './participant-path.js';
export { meetAndGreetInvitations } from './meet-and-greet.js';
export { coachDailyDigest } from './coach-digest.js';
export { groupMomentInvitations } from './group-moment.js';
export { emailDispatcher } from './email-dispatcher.js';
