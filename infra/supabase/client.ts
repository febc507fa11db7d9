import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import ws from 'ws';
import type { Database } from '../../supabase/types.js';

export type Db = SupabaseClient<Database>;

/**
 * A supabase-js client for server code. Node 20 has no global WebSocket, so realtime gets the
 * `ws` transport; sessions are never persisted on a server.
 */
/** Realtime's transport on Node 20 (no global WebSocket); every supabase-js client on the server takes it. */
export const NODE_REALTIME = { transport: ws as unknown as NonNullable<NonNullable<Parameters<typeof createClient>[2]>['realtime']>['transport'] };

export function supabaseClient(url: string, key: string, accessToken?: string): Db {
  return createClient<Database>(url, key, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: NODE_REALTIME,
    global: accessToken ? { headers: { Authorization: `Bearer ${accessToken}` } } : {},
  });
}
