import type { Config } from '@backstage/config';
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  randomBytes,
  randomFillSync,
} from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { deepFreeze } from '@baton/backstage-plugin-orchestrator-node';

const ALGORITHM = 'aes-256-gcm';
const VERSION = 'v1';
const IV_BYTES = 12;
/** IVs drawn per 4,096: one call to the random source costs as much as a small encryption. */
const IV_POOL_SIZE = IV_BYTES * 4096;
/** Values {@link SecretBox.decryptShared} keeps: the state of an app of about 10,000 resources. */
const SHARED_ENTRIES = 30_000;

/**
 * Encrypts secret outputs and definition secrets at rest with AES-256-GCM.
 * Ciphertexts are `v1:<key id>:<iv>:<tag>:<data>` (base64url parts) so that
 * a wrong key is reported as such instead of as corrupt data.
 *
 * @internal
 */
export class SecretBox {
  /** The key's fingerprint: the first 8 characters of its base64url SHA-256. */
  readonly keyId: string;
  /** Key names by ciphertext: every read of a resource lists them, and a ciphertext never changes. */
  private readonly keyNames = new Map<string, string[]>();
  /** Decrypted values by ciphertext, for {@link SecretBox.decryptShared}; the least recently used go first. */
  private readonly shared = new Map<string, unknown>();
  /** Keys {@link SecretBox.digest}: derived, so that the encryption key serves one purpose. */
  private readonly digestKey: Buffer;
  private ivPool = Buffer.alloc(0);
  private ivOffset = 0;

  /** The key `orchestrator.secrets.key` gives, or one generated once in `<dataDir>/secret.key`. */
  static async fromConfig(config: Config, options: { dataDir: string }): Promise<SecretBox> {
    return SecretBox.fromKeyOrDataDir({ key: config.getOptionalString('orchestrator.secrets.key'), dataDir: options.dataDir });
  }

  static async fromKeyOrDataDir(options: {
    key?: string;
    dataDir: string;
  }): Promise<SecretBox> {
    if (options.key) {
      return new SecretBox(decodeKey(options.key, 'orchestrator.secrets.key'), 'orchestrator.secrets.key');
    }
    const file = path.join(options.dataDir, 'secret.key');
    try {
      return new SecretBox(decodeKey(await fs.readFile(file, 'utf8'), file), file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    await fs.mkdir(options.dataDir, { recursive: true });
    const key = randomBytes(32);
    // `wx` so that two processes starting together cannot overwrite each other's key.
    try {
      await fs.writeFile(file, key.toString('base64'), { mode: 0o600, flag: 'wx' });
      return new SecretBox(key, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return new SecretBox(decodeKey(await fs.readFile(file, 'utf8'), file), file);
    }
  }

  /** `source` says where the key came from, for errors: a config key or a file. */
  constructor(private readonly key: Buffer, readonly source = 'the configured key') {
    if (key.length !== 32) {
      throw new Error('The secret key must be 32 bytes (AES-256)');
    }
    this.keyId = createHash('sha256').update(key).digest('base64url').slice(0, 8);
    this.digestKey = createHmac('sha256', key).update('baton digest v1').digest();
  }

  /**
   * A digest of a text that may hold secrets, safe to store in the clear:
   * HMAC-SHA-256 (hex) under a key derived from the secret key, so that it
   * cannot be used to guess what the text holds.
   */
  digest(text: string): string {
    return createHmac('sha256', this.digestKey).update(text).digest('hex');
  }

  encrypt(value: unknown): string {
    const iv = this.nextIv();
    const cipher = createCipheriv(ALGORITHM, this.key, iv);
    const data = Buffer.concat([
      cipher.update(JSON.stringify(value), 'utf8'),
      cipher.final(),
    ]);
    return [
      VERSION,
      this.keyId,
      iv.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
      data.toString('base64url'),
    ].join(':');
  }

  /** A fresh random IV; each pool byte is used once. */
  private nextIv(): Buffer {
    if (this.ivOffset + IV_BYTES > this.ivPool.length) {
      this.ivPool = randomFillSync(Buffer.allocUnsafe(IV_POOL_SIZE));
      this.ivOffset = 0;
    }
    const iv = Buffer.from(this.ivPool.subarray(this.ivOffset, this.ivOffset + IV_BYTES));
    this.ivOffset += IV_BYTES;
    return iv;
  }

  decrypt<T = unknown>(ciphertext: string): T {
    const [version, keyId, iv, tag, data] = ciphertext.split(':');
    if (version !== VERSION || data === undefined) {
      throw new Error('Not a Baton ciphertext');
    }
    if (keyId !== this.keyId) {
      throw new Error(
        `Encrypted with another key (${keyId}); the configured key is ${this.keyId}`,
      );
    }
    const decipher = createDecipheriv(ALGORITHM, this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const plain = Buffer.concat([
      decipher.update(Buffer.from(data, 'base64url')),
      decipher.final(),
    ]);
    return JSON.parse(plain.toString('utf8')) as T;
  }

  /**
   * {@link SecretBox.decrypt} for what is read again and again: an
   * environment's resource state, read whole by each of its deployments
   * (thousands of decryptions for a big app, of which a redeployment
   * rewrites few). A ciphertext never changes (each has its own IV), so its
   * value is kept, frozen since every caller gets the same one; at most
   * `SHARED_ENTRIES` of them, in this process's memory only.
   */
  decryptShared<T = unknown>(ciphertext: string): T {
    let value = this.shared.get(ciphertext);
    if (value === undefined) {
      value = deepFreeze(this.decrypt(ciphertext));
      if (this.shared.size >= SHARED_ENTRIES) this.shared.delete(this.shared.keys().next().value!);
    } else {
      // Most recently used last.
      this.shared.delete(ciphertext);
    }
    this.shared.set(ciphertext, value);
    return value as T;
  }

  /** The sorted key names of an encrypted object: names are not secret, values are. */
  keysOf(ciphertext: string): string[] {
    let names = this.keyNames.get(ciphertext);
    if (!names) {
      names = Object.keys(this.decrypt<Record<string, unknown>>(ciphertext)).sort();
      // Bounded: drop the oldest entries once the cache holds 10k ciphertexts.
      if (this.keyNames.size >= 10_000) this.keyNames.delete(this.keyNames.keys().next().value!);
      this.keyNames.set(ciphertext, names);
    }
    return names;
  }
}

function decodeKey(text: string, source: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) {
    throw new Error(`${source} must hold 32 bytes, base64-encoded (e.g. openssl rand -base64 32)`);
  }
  return key;
}
