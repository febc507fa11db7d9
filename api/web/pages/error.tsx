export function ErrorPage({ title, message, requestId, signIn }: { title: string; message: string; requestId: string; signIn?: string | undefined }) {
  return (
    <>
      <h1>{title}</h1>
      <p>{message}</p>
      {signIn ? (
        <p>
          <a class="button" href={signIn}>
            Aanmelden
          </a>
        </p>
      ) : (
        <p>
          <a href="/">Naar het begin</a>
        </p>
      )}
      <p class="muted">Referentie voor de helpdesk: {requestId}</p>
    </>
  );
}
