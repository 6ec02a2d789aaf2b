import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { config } from '../../config/env.js';

// Format: v1.<keyId>.<iv>.<tag>.<ciphertext> (base64url). The key id travels with the value, so a new
// key can become current while values written under the old one stay readable until re-encrypted.
const VERSION = 'v1';

export function encryptField(plaintext: string, keyId = config.pii.currentKeyId): string {
  const key = config.pii.keys[keyId];
  if (!key) throw new Error(`no PII encryption key "${keyId}"`);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [
    VERSION,
    keyId,
    iv.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
    ciphertext.toString('base64url'),
  ].join('.');
}

export function decryptField(token: string): string {
  const [version, keyId, iv, tag, ciphertext] = token.split('.');
  const key = keyId ? config.pii.keys[keyId] : undefined;
  if (version !== VERSION || !key || !iv || !tag || ciphertext === undefined)
    throw new Error('unreadable encrypted field');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
}

export function encryptionKeyIdOf(token: string): string | undefined {
  return token.split('.')[1];
}

/**
 * A keyed hash for exact lookups of an encrypted value. `kind` separates domains, so a licence and a
 * medical card with the same characters do not share an index entry. Callers pass normalised values.
 */
export function blindIndex(kind: 'drivers_license' | 'medical_card' | 'document', normalised: string): string {
  return createHmac('sha256', config.pii.blindIndexKey).update(`${kind}:${normalised}`).digest('hex');
}

/** For masked display (`•••• 1234`): the only part of an identity number kept readable. */
export const lastFour = (value: string) => value.slice(-4);
