import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import ws from 'ws';
import type { Database } from '../../supabase/types.js';

export type Db = SupabaseClient<Database>;

/**
 * A supabase-js client for server code. Node 20 has no global WebSocket, so realtime gets the
 * `ws` transport; sessions are never persisted on a server.
 */
export function supabaseClient(url: string, key: string, accessToken?: string): Db {
  return createClient<Database>(url, key, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: { transport: ws as unknown as NonNullable<NonNullable<Parameters<typeof createClient>[2]>['realtime']>['transport'] },
    global: accessToken ? { headers: { Authorization: `Bearer ${accessToken}` } } : {},
  });
}
