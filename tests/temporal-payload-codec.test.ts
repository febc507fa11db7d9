import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pathQuery, pathWorkflowId } from '../domain/messages.js';
import { ConfigError, loadConfig } from '../infra/config.js';
import { codecApp } from '../infra/temporal/codec-server.js';
import { AesGcmPayloadCodec, dataConverterFor, ENCRYPTED_ENCODING, payloadKeysSchema } from '../infra/temporal/payload-codec.js';
import { replayWorkflowCode } from './support/workflow-bundles.js';
import { historyFromFile } from './support/history-files.js';
import { startTestStack, type TestStack } from './support/stack.js';
import { until } from './support/until.js';

/**
 * Encrypted payloads (AES-256-GCM, the key's id in each payload): with TEMPORAL_PAYLOAD_KEYS set,
 * the Temporal server holds only ciphertext of a whole path, every history still replays (the
 * committed ones are plain JSON and pass through), keys rotate, and the Web UI's codec endpoint
 * decodes for the allowed origins.
 */

const keyText = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;
const keysOf = (text: string) => payloadKeysSchema.parse(text);
const json = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);
const text = (p: Payload) => Buffer.from(p.data ?? new Uint8Array()).toString('utf8');
const encodingOf = (p: Payload) => Buffer.from(p.metadata?.encoding ?? new Uint8Array()).toString('utf8');

describe('the payload codec', () => {
  it('seals a payload, names its key, and opens it again', async () => {
    const codec = new AesGcmPayloadCodec(keysOf(keyText('2026-11')));
    const [sealed] = await codec.encode([json({ participantId: 'abc', phase: 'focus' })]);
    expect(encodingOf(sealed!)).toBe(ENCRYPTED_ENCODING);
    expect(Buffer.from(sealed!.metadata!['encryption-key-id']!).toString()).toBe('2026-11');
    expect(text(sealed!)).not.toContain('focus');
    const [opened] = await codec.decode([sealed!]);
    expect(defaultPayloadConverter.fromPayload(opened!)).toEqual({ participantId: 'abc', phase: 'focus' });
    // The same value twice: two different ciphertexts (a fresh IV each time).
    const [again] = await codec.encode([json({ participantId: 'abc', phase: 'focus' })]);
    expect(Buffer.from(again!.data!).equals(Buffer.from(sealed!.data!))).toBe(false);
  });

  it('rotates: the first key seals, the older ones still open; a dropped key is named in the error', async () => {
    const old = keyText('2026-05');
    const current = keyText('2026-11');
    const [sealedOld] = await new AesGcmPayloadCodec(keysOf(old)).encode([json('before')]);
    const rotated = new AesGcmPayloadCodec(keysOf(`${current},${old}`));
    const [sealedNew] = await rotated.encode([json('after')]);
    expect(Buffer.from(sealedNew!.metadata!['encryption-key-id']!).toString()).toBe('2026-11');
    expect((await rotated.decode([sealedOld!, sealedNew!])).map((p) => defaultPayloadConverter.fromPayload(p))).toEqual(['before', 'after']);
    await expect(new AesGcmPayloadCodec(keysOf(current)).decode([sealedOld!])).rejects.toThrow('key "2026-05", which is not in TEMPORAL_PAYLOAD_KEYS');
  });

  it('refuses a changed byte, a relabelled key id, and passes plain payloads through', async () => {
    const keys = keysOf(`${keyText('a')},${keyText('b')}`);
    const codec = new AesGcmPayloadCodec(keys);
    const [sealed] = await codec.encode([json('geheim')]);
    const flipped = Buffer.from(sealed!.data!);
    flipped[20] = flipped[20]! ^ 1;
    await expect(codec.decode([{ ...sealed!, data: new Uint8Array(flipped) }])).rejects.toThrow();
    const relabelled = { ...sealed!, metadata: { ...sealed!.metadata, 'encryption-key-id': new TextEncoder().encode('b') } };
    await expect(codec.decode([relabelled])).rejects.toThrow();
    const plain = json({ recorded: 'before encryption' });
    expect(await codec.decode([plain])).toEqual([plain]);
  });

  it('is configured by TEMPORAL_PAYLOAD_KEYS and refuses a malformed key', () => {
    expect(loadConfig({ TEMPORAL_PAYLOAD_KEYS: keyText('k1') }).TEMPORAL_PAYLOAD_KEYS?.[0]?.id).toBe('k1');
    expect(loadConfig({}).TEMPORAL_PAYLOAD_KEYS).toBeUndefined();
    expect(dataConverterFor(undefined)).toBeUndefined();
    expect(() => loadConfig({ TEMPORAL_PAYLOAD_KEYS: `k1:${randomBytes(16).toString('base64')}` })).toThrow(ConfigError);
    expect(() => loadConfig({ TEMPORAL_PAYLOAD_KEYS: `${keyText('k1')},${keyText('k1')}` })).toThrow(/used twice/);
  });

  it('keeps every committed history replaying with the codec on', async () => {
    const dir = join(dirname(fileURLToPath(import.meta.url)), 'histories');
    const files = (await readdir(dir)).filter((f) => f.endsWith('.json'));
    const histories = await Promise.all(files.map(async (file) => ({ workflowId: file, history: historyFromFile(await readFile(join(dir, file), 'utf8')) })));
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories(
      { ...replayWorkflowCode(), replayName: 'codec-on', dataConverter: dataConverterFor(keysOf(keyText('k'))) },
      histories,
    )) {
      if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
    }
    expect(failures).toEqual([]);
  });
});

describe('a path with encrypted payloads', () => {
  const keys = keyText('stack-key');
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ TEMPORAL_PAYLOAD_KEYS: keys });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('leaves only ciphertext on the server, and its history replays with the key (and not without)', async () => {
    const siteId = await stack.site('Stuyfplek Versleuteld');
    const staff = await stack.person('staff', siteId);
    const coach = await stack.person('coach', siteId);
    const res = await stack.app.request('/api/intakes', {
      method: 'POST',
      headers: { authorization: `Bearer ${staff.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ siteId, firstName: 'Lotte', lastName: 'Versleuteld', email: 'lotte@example.be', birthDate: '1990-03-03', consentEmail: true, referralSource: 'ocmw', coachId: coach.id }),
    });
    expect(res.status).toBe(201);
    const { participantId } = (await res.json()) as { participantId: string };
    const act = await stack.app.request(`/api/participants/${participantId}/actions/changePhase`, {
      method: 'POST',
      headers: { authorization: `Bearer ${coach.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ to: 'focus', reason: 'ready_for_next_step' }),
    });
    expect(act.status).toBe(200);
    await until(async () => (stack.outbox.emails().some((e) => e.to.includes('lotte@example.be')) ? true : undefined), 'the welcome email');

    // The history as the server keeps it: read with a client that has no key.
    const raw = new Client({ connection: stack.client.connection, namespace: stack.config.TEMPORAL_NAMESPACE });
    const history = await raw.workflow.getHandle(pathWorkflowId(participantId)).fetchHistory();
    // Every payload a codec sees, by where it sits in the history. Temporal keeps three kinds
    // readable by design: search attributes (the server indexes them: codes and ids), and the
    // markers' own bookkeeping that the SDK's core writes (a patch's name; a local activity's
    // sequence number and type).
    const sealed: Payload[] = [];
    const readable: string[] = [];
    const collect = (value: unknown, at: string): void => {
      if (!value || typeof value !== 'object' || ArrayBuffer.isView(value)) return;
      const maybe = value as Payload;
      if (maybe.metadata?.encoding instanceof Uint8Array) {
        if (encodingOf(maybe) === ENCRYPTED_ENCODING) sealed.push(maybe);
        else readable.push(at);
        return;
      }
      for (const [k, child] of Object.entries(value)) collect(child, `${at}.${k}`);
    };
    for (const event of history.events ?? []) collect(event, '');
    // The start input, the update's input and result, the local activities' results.
    expect(sealed.length).toBeGreaterThanOrEqual(5);
    const bookkeeping = /^(\.upsertWorkflowSearchAttributesEventAttributes\.searchAttributes\.indexedFields\.(Phase|PathStatus|SiteId|CoachId|TemporalChangeVersion)|\.markerRecordedEventAttributes\.details\.(patch-data|data)\.payloads\.0)$/;
    expect(readable.filter((at) => !bookkeeping.test(at))).toEqual([]);
    // Not even an identifier inside a sealed payload.
    for (const p of sealed) for (const plain of [participantId, siteId, coach.id, 'focus', 'ready_for_next_step', 'ocmw']) expect(text(p)).not.toContain(plain);

    const replay = async (dataConverter: ReturnType<typeof dataConverterFor>) => {
      for await (const result of Worker.runReplayHistories({ ...replayWorkflowCode(), replayName: 'encrypted', dataConverter }, [{ workflowId: pathWorkflowId(participantId), history }])) {
        return result.error;
      }
      return undefined;
    };
    expect(await replay(dataConverterFor(keysOf(keys)))).toBeUndefined();
    expect(await replay(undefined)).toBeDefined();

    // The client with the key reads the path as usual.
    const view = await stack.client.workflow.getHandle(pathWorkflowId(participantId)).query(pathQuery);
    expect(view.phase).toBe('focus');
  });

  it('serves the Web UI codec endpoint: decodes for an allowed origin, refuses a malformed body', async () => {
    const app = codecApp(new AesGcmPayloadCodec(keysOf(keys)), { allowedOrigins: ['http://localhost:8233'] });
    const [sealed] = await new AesGcmPayloadCodec(keysOf(keys)).encode([json({ phase: 'activation' })]);
    const wire = { metadata: Object.fromEntries(Object.entries(sealed!.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])), data: Buffer.from(sealed!.data!).toString('base64') };
    const res = await app.request('/decode', {
      method: 'POST',
      headers: { origin: 'http://localhost:8233', 'content-type': 'application/json', 'x-namespace': 'default' },
      body: JSON.stringify({ payloads: [wire] }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:8233');
    const body = (await res.json()) as { payloads: Array<{ data: string }> };
    expect(JSON.parse(Buffer.from(body.payloads[0]!.data, 'base64').toString())).toEqual({ phase: 'activation' });
    const preflight = await app.request('/decode', { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect((await app.request('/decode', { method: 'POST', body: 'nee' })).status).toBe(400);
  });
});
