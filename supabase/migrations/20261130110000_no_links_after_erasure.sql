-- A person who was forgotten gets no new link. The email dispatcher makes a participant's page
-- link when it renders an email (activities/access-links.ts), so an erasure could land between
-- the batch's claim and that insert and leave a live link behind (the page refuses it anyway:
-- it checks erased_at). The insert takes the person's row in share mode and refuses an erased
-- one; public.erase_participant writes the row before it revokes the links. So either the
-- erasure waits for the insert to commit and then revokes its link, or the insert waits for the
-- erasure and is refused, and the dispatcher's next attempt finds no address and skips the email.
create function private.refuse_link_for_erased_participant() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform 1 from public.participants p where p.id = new.participant_id and p.erased_at is null for share;
  if not found then
    raise exception 'no link for participant %: erased or unknown', new.participant_id
      using errcode = '23503', hint = 'ParticipantErased';
  end if;
  return new;
end
$$;

create trigger access_links_not_after_erasure before insert on public.access_links
  for each row execute function private.refuse_link_for_erased_participant();

revoke all on function private.refuse_link_for_erased_participant() from public, anon, authenticated;
