import type { Client } from '@temporalio/client';
import type { Config } from '../infra/config.js';
import type { Db } from '../infra/supabase/client.js';
import type { Role } from './auth.js';

export interface ApiDeps {
  config: Config;
  /** Service-role client: the API checks access itself before it reads or writes. */
  db: Db;
  temporal: Client;
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
    user: SignedInUser | undefined;
  };
};
