-- Development data for `npm run dev` only: one demo Stuyfplek, its people, and a few participants.
-- The participants' paths are started (and moved to the phase they are in) by infra/seed-paths.ts
-- once the worker runs: a path is a workflow, not rows.
insert into auth.users (id, email) values
  ('5a1e0000-0000-4000-8000-0000000000a1', 'onthaal@stuyfplek.local'),
  ('5a1e0000-0000-4000-8000-0000000000c1', 'coordinatie@stuyfplek.local'),
  ('5a1e0000-0000-4000-8000-0000000000b1', 'an.coach@stuyfplek.local'),
  ('5a1e0000-0000-4000-8000-0000000000b2', 'bram.coach@stuyfplek.local'),
  ('5a1e0000-0000-4000-8000-0000000000e1', 'begeleiding@stuyfplek.local');

insert into public.sites (id, name) values
  ('5a1e0000-0000-4000-8000-000000000001', 'Stuyfplek Gent-Centrum');

insert into public.profiles (id, site_id, role, display_name, email) values
  ('5a1e0000-0000-4000-8000-0000000000a1', '5a1e0000-0000-4000-8000-000000000001', 'staff', 'Sofie (onthaal)', 'onthaal@stuyfplek.local'),
  ('5a1e0000-0000-4000-8000-0000000000c1', '5a1e0000-0000-4000-8000-000000000001', 'coordinator', 'Karim (coördinator)', 'coordinatie@stuyfplek.local'),
  ('5a1e0000-0000-4000-8000-0000000000b1', '5a1e0000-0000-4000-8000-000000000001', 'coach', 'An (coach)', 'an.coach@stuyfplek.local'),
  ('5a1e0000-0000-4000-8000-0000000000b2', '5a1e0000-0000-4000-8000-000000000001', 'coach', 'Bram (coach)', 'bram.coach@stuyfplek.local'),
  ('5a1e0000-0000-4000-8000-0000000000e1', '5a1e0000-0000-4000-8000-000000000001', 'facilitator', 'Mira (begeleider groepsmomenten)', 'begeleiding@stuyfplek.local');

-- identity_key as the API computes it (api/path-service.ts identityKey): a repeated intake of the
-- same person finds them.
insert into public.participants (id, site_id, coach_id, first_name, last_name, birth_date, email, phone, consent_email, referral_source, identity_key)
select id::uuid, '5a1e0000-0000-4000-8000-000000000001', coach_id::uuid, first_name, last_name, birth_date::date, email, phone, consent, referral_source::public.referral_source,
       encode(sha256(convert_to(lower(normalize(first_name, NFKC)) || '|' || lower(normalize(last_name, NFKC)) || '|' || birth_date, 'UTF8')), 'hex')
  from (values
    -- orientation: just arrived
    ('5a1e0000-0000-4000-8000-0000000000d1', '5a1e0000-0000-4000-8000-0000000000b1', 'Youssef', 'El Amrani', '1994-06-21', 'youssef.elamrani@example.be', '0470 11 22 33', true, 'ocmw'),
    -- focus, with a growth agreement
    ('5a1e0000-0000-4000-8000-0000000000d2', '5a1e0000-0000-4000-8000-0000000000b1', 'Ine', 'Claes', '1987-02-03', 'ine.claes@example.be', null, true, 'vdab'),
    -- activation, with a growth agreement
    ('5a1e0000-0000-4000-8000-0000000000d3', '5a1e0000-0000-4000-8000-0000000000b2', 'Marc', 'Janssens', '1979-10-15', 'marc.janssens@example.be', '0486 44 55 66', true, 'starterslabo'),
    -- flowed out (own enterprise), now in aftercare
    ('5a1e0000-0000-4000-8000-0000000000d4', '5a1e0000-0000-4000-8000-0000000000b2', 'Fatma', 'Yilmaz', '1991-12-30', 'fatma.yilmaz@example.be', null, true, 'word_of_mouth'),
    -- orientation, no email consent and no address
    ('5a1e0000-0000-4000-8000-0000000000d5', '5a1e0000-0000-4000-8000-0000000000b1', 'Koen', 'De Smet', '1969-08-08', null, '09 123 45 67', false, 'general_practitioner')
  ) as seed (id, coach_id, first_name, last_name, birth_date, email, phone, consent, referral_source);
