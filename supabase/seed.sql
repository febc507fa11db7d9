-- Development data for `npm run dev` only: one demo Stuyfplek and its people.
insert into auth.users (id, email) values
  ('5a1e0000-0000-4000-8000-0000000000a1', 'onthaal@stuyfplek.local'),
  ('5a1e0000-0000-4000-8000-0000000000c1', 'coordinatie@stuyfplek.local'),
  ('5a1e0000-0000-4000-8000-0000000000b1', 'an.coach@stuyfplek.local'),
  ('5a1e0000-0000-4000-8000-0000000000b2', 'bram.coach@stuyfplek.local');

insert into public.sites (id, name) values
  ('5a1e0000-0000-4000-8000-000000000001', 'Stuyfplek Gent-Centrum');

insert into public.profiles (id, site_id, role, display_name, email) values
  ('5a1e0000-0000-4000-8000-0000000000a1', '5a1e0000-0000-4000-8000-000000000001', 'staff', 'Sofie (onthaal)', 'onthaal@stuyfplek.local'),
  ('5a1e0000-0000-4000-8000-0000000000c1', '5a1e0000-0000-4000-8000-000000000001', 'coordinator', 'Karim (coördinator)', 'coordinatie@stuyfplek.local'),
  ('5a1e0000-0000-4000-8000-0000000000b1', '5a1e0000-0000-4000-8000-000000000001', 'coach', 'An (coach)', 'an.coach@stuyfplek.local'),
  ('5a1e0000-0000-4000-8000-0000000000b2', '5a1e0000-0000-4000-8000-000000000001', 'coach', 'Bram (coach)', 'bram.coach@stuyfplek.local');
