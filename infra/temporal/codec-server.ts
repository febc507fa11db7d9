import type { Payload, PayloadCodec } from '@temporalio/common';
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { z } from 'zod';

/**
 * The codec endpoint for the Temporal Web UI: with encrypted payloads on, the UI shows ciphertext
 * until it is pointed at this endpoint (UI settings, "Codec Server", or the dev server's
 * `--ui-codec-endpoint`), which the engineer's browser calls with the payloads to show. It runs
 * where the keys may be: on the engineer's own machine (`npm run temporal:codec`, bound to
 * 127.0.0.1), never on a public address. The body is the UI's: `{ payloads: [{ metadata, data }] }`
 * with base64 values, answered in the same shape.
 */

const wirePayloads = z.object({
  payloads: z.array(z.object({ metadata: z.record(z.string(), z.string()).nullish(), data: z.string().nullish() })),
});
type WirePayload = z.infer<typeof wirePayloads>['payloads'][number];

const fromWire = (p: WirePayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))])),
  data: new Uint8Array(Buffer.from(p.data ?? '', 'base64')),
});
const toWire = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

export function codecApp(codec: PayloadCodec, o: { allowedOrigins: string[] }): Hono {
  const app = new Hono();
  app.use('*', cors({ origin: o.allowedOrigins, allowMethods: ['POST', 'OPTIONS'], allowHeaders: ['Content-Type', 'X-Namespace', 'Authorization'], credentials: true }));
  for (const direction of ['encode', 'decode'] as const) {
    app.post(`/${direction}`, async (c) => {
      const parsed = wirePayloads.safeParse(await c.req.json().catch(() => undefined));
      if (!parsed.success) return c.json({ error: 'expected { payloads: [{ metadata, data }] } with base64 values' }, 400);
      try {
        const payloads = await codec[direction](parsed.data.payloads.map(fromWire));
        return c.json({ payloads: payloads.map(toWire) });
      } catch (err) {
        // A payload sealed with a key this server does not have, or tampered with.
        return c.json({ error: (err as Error).message }, 422);
      }
    });
  }
  return app;
}

/** `npm run temporal:codec`: serves the codec endpoint on 127.0.0.1 with the configured keys. */
async function main(): Promise<void> {
  const [{ serve }, { loadConfig }, { AesGcmPayloadCodec }] = await Promise.all([
    import('@hono/node-server'),
    import('../config.js'),
    import('./payload-codec.js'),
  ]);
  const config = loadConfig();
  if (!config.TEMPORAL_PAYLOAD_KEYS) {
    process.stderr.write('groeipad: TEMPORAL_PAYLOAD_KEYS is not set: payloads are not encrypted, the Web UI needs no codec endpoint\n');
    process.exit(1);
  }
  const app = codecApp(new AesGcmPayloadCodec(config.TEMPORAL_PAYLOAD_KEYS), { allowedOrigins: config.TEMPORAL_CODEC_ORIGINS });
  serve({ fetch: app.fetch, port: config.TEMPORAL_CODEC_PORT, hostname: '127.0.0.1' }, (info) => {
    process.stdout.write(`codec endpoint for the Temporal Web UI: http://127.0.0.1:${info.port} (origins ${config.TEMPORAL_CODEC_ORIGINS.join(', ')})\n`);
  });
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
