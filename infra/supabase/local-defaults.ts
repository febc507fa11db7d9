/**
 * The Supabase CLI's local defaults (`supabase start`), so that tools and habits made for a
 * local Supabase work against ours: the same ports, JWT secret and demo keys. These keys sign
 * nothing outside this machine; production sets its own.
 */
export const LOCAL_SUPABASE = {
  apiPort: 54321,
  dbPort: 54322,
  jwtSecret: 'super-secret-jwt-token-with-at-least-32-characters-long',
  anonKey:
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0',
  serviceRoleKey:
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU',
  dbUser: 'postgres',
  dbPassword: 'postgres',
} as const;
