import type { createServerClient } from '@supabase/ssr';
import type { Client } from '@temporalio/client';
import type { Config } from '../infra/config.js';
import type { Logger } from '../infra/logger.js';
import type { Db } from '../infra/supabase/client.js';
import type { ParticipantAccess } from './access.js';
import type { Role } from './auth.js';
import type { BriefCache } from './brief-cache.js';

export interface ApiDeps {
  config: Config;
  /** Service-role client: the API checks access itself before it reads or writes. */
  db: Db;
  temporal: Client;
  /** The JSON log (infra/logger.ts); createApp makes one from LOG_LEVEL when none is given. */
  logger?: Logger;
  /** Participants' site, coach and erasure, kept briefly for coach actions (api/access.ts); createApp makes it. */
  access?: BriefCache<ParticipantAccess>;
}

export interface SignedInUser {
  id: string;
  role: Role;
  siteId: string;
  name: string;
  token: string;
}

export type AppEnv = {
  Variables: {
    deps: ApiDeps;
    requestId: string;
    /** The app's logger with this request's id on every line. */
    log: Logger;
    user: SignedInUser | undefined;
    /** Signed in with Supabase Auth but without a profile (not linked to a Stuyfplek yet). */
    account: { id: string; email: string } | undefined;
    /** The request's @supabase/ssr client (api/auth.ts sessionClient), made when first needed. */
    auth: ReturnType<typeof createServerClient> | undefined;
  };
};
