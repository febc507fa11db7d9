import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import { z } from 'zod';

/**
 * Encrypted payloads: every payload that goes to Temporal (workflow inputs, update arguments and
 * results, activity inputs, the state carried by continue-as-new) is sealed with AES-256-GCM
 * before it leaves the process, so the cluster (Temporal Cloud, its backups, its Web UI) holds
 * only ciphertext. Identifiers and codes are all a path puts in a payload; this is the second
 * line, for what the first might miss.
 *
 * Each encrypted payload names its key (`encryption-key-id`): the first configured key encrypts,
 * every configured key decrypts, so a key is rotated by putting a new one first and keeping the
 * old one until no open history needs it. A payload that is not encrypted (histories from before
 * the codec was turned on) passes through unchanged, so they keep replaying.
 */

export const ENCRYPTED_ENCODING = 'binary/encrypted';
const CIPHER = 'AES256-GCM';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface PayloadKey {
  id: string;
  key: Buffer;
}

/**
 * `TEMPORAL_PAYLOAD_KEYS`: comma-separated `id:base64key` pairs, the encrypting key first; each key
 * 32 random bytes (`openssl rand -base64 32`). Ids: letters, digits, ".", "_" and "-".
 */
export const payloadKeysSchema = z
  .string()
  .trim()
  .min(1)
  .transform((text, ctx) => {
    const keys: PayloadKey[] = [];
    for (const [i, pair] of text.split(',').entries()) {
      const match = /^\s*([A-Za-z0-9._-]{1,64}):([A-Za-z0-9+/=]+)\s*$/.exec(pair);
      const key = match ? Buffer.from(match[2]!, 'base64') : undefined;
      if (!match || key?.length !== 32) {
        ctx.addIssue({ code: 'custom', message: `key ${i + 1}: expected id:base64 of 32 bytes (openssl rand -base64 32)` });
        return z.NEVER;
      }
      if (keys.some((k) => k.id === match[1])) {
        ctx.addIssue({ code: 'custom', message: `key ${i + 1}: the id ${match[1]} is used twice` });
        return z.NEVER;
      }
      keys.push({ id: match[1]!, key });
    }
    return keys;
  });

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const utf8 = (text: string) => encoder.encode(text);

/** The plaintext of one payload: its metadata and data, as JSON with base64 values. */
function serialize(payload: Payload): Buffer {
  const metadata = Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
  return Buffer.from(JSON.stringify({ metadata, data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64') }));
}

function deserialize(bytes: Buffer): Payload {
  const { metadata, data } = JSON.parse(bytes.toString('utf8')) as { metadata: Record<string, string>; data: string };
  return {
    metadata: Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))])),
    data: new Uint8Array(Buffer.from(data, 'base64')),
  };
}

export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly byId: Map<string, Buffer>;

  constructor(private readonly keys: PayloadKey[]) {
    if (keys.length === 0) throw new Error('AesGcmPayloadCodec needs at least one key');
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const { id, key } = this.keys[0]!;
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      // The key id is bound to the ciphertext: a payload relabelled with another id fails.
      cipher.setAAD(Buffer.from(id));
      const sealed = Buffer.concat([iv, cipher.update(serialize(payload)), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: { encoding: utf8(ENCRYPTED_ENCODING), 'encryption-cipher': utf8(CIPHER), 'encryption-key-id': utf8(id) },
        data: new Uint8Array(sealed),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.encoding;
      if (!encoding || decoder.decode(encoding) !== ENCRYPTED_ENCODING) return payload;
      const idBytes = payload.metadata?.['encryption-key-id'];
      const id = idBytes ? decoder.decode(idBytes) : '';
      const key = this.byId.get(id);
      if (!key) throw new Error(`payload encrypted with key "${id}", which is not in TEMPORAL_PAYLOAD_KEYS`);
      const sealed = Buffer.from(payload.data ?? new Uint8Array());
      if (sealed.length < IV_BYTES + TAG_BYTES) throw new Error(`encrypted payload (key "${id}") is too short`);
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(id));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      return deserialize(Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]));
    });
  }
}

/** The data converter of every client and worker: encrypting when keys are configured, the SDK's default otherwise. */
export function dataConverterFor(keys: PayloadKey[] | undefined): DataConverter | undefined {
  return keys && keys.length > 0 ? { payloadCodecs: [new AesGcmPayloadCodec(keys)] } : undefined;
}
