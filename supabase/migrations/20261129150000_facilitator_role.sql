-- A facilitator runs group moments (a connectors table, an open house, a stuyflab ...): they plan
-- them and fill in who came. Its own migration: a new enum value can only be used once the
-- transaction that added it has committed (the next migration uses it).
alter type public.staff_role add value if not exists 'facilitator';
