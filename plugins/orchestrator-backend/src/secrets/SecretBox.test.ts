import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { SecretBox } from './SecretBox';
import { temporaryFolder } from '../__testUtils__/temporaryFolder';

describe('SecretBox', () => {
  it('round-trips values without the plain text in the ciphertext', () => {
    const box = new SecretBox(randomBytes(32));
    const secret = { password: 'hunter2-very-secret' };
    const sealed = box.encrypt(secret);
    expect(sealed).not.toContain('hunter2');
    expect(box.decrypt(sealed)).toEqual(secret);
    // a fresh IV each time
    expect(box.encrypt(secret)).not.toBe(sealed);
  });

  it('never reuses an IV, across refills of its pool of random bytes', () => {
    const box = new SecretBox(randomBytes(32));
    const ivs = new Set<string>();
    for (let i = 0; i < 10_000; i++) ivs.add(box.encrypt(i).split(':')[2]);
    expect(ivs.size).toBe(10_000);
    expect([...ivs].every(iv => Buffer.from(iv, 'base64url').length === 12)).toBe(true);
  });

  it('lists the key names of an encrypted object, and refuses one sealed with another key', () => {
    const box = new SecretBox(randomBytes(32));
    const sealed = box.encrypt({ password: 'p', apiKey: 'k' });
    expect(box.keysOf(sealed)).toEqual(['apiKey', 'password']);
    expect(box.keysOf(sealed)).toEqual(['apiKey', 'password']);
    expect(() => new SecretBox(randomBytes(32)).keysOf(sealed)).toThrow(/Encrypted with another key/);
  });

  it('digests a text the same way under one key, differently under another, and not as its plain hash', () => {
    const key = randomBytes(32);
    const text = '{"secrets":{"password":"hunter2"}}';
    const digest = new SecretBox(key).digest(text);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(new SecretBox(Buffer.from(key)).digest(text)).toBe(digest);
    expect(new SecretBox(key).digest(`${text} `)).not.toBe(digest);
    expect(new SecretBox(randomBytes(32)).digest(text)).not.toBe(digest);
    expect(digest).not.toBe(createHash('sha256').update(text).digest('hex'));
  });

  it('gives every reader of a shared value the same one, which none of them can change', () => {
    const box = new SecretBox(randomBytes(32));
    const sealed = box.encrypt({ password: 'p', nested: { port: 5432 } });
    const first = box.decryptShared<{ password: string; nested: { port: number } }>(sealed);
    expect(first).toEqual({ password: 'p', nested: { port: 5432 } });
    expect(box.decryptShared(sealed)).toBe(first);
    expect(() => {
      first.nested.port = 1;
    }).toThrow(TypeError);
    expect(box.decrypt(sealed)).toEqual({ password: 'p', nested: { port: 5432 } });
    // What cannot be decrypted is refused each time, never kept.
    expect(() => new SecretBox(randomBytes(32)).decryptShared(sealed)).toThrow(/Encrypted with another key/);
    expect(() => box.decryptShared(`${sealed.slice(0, -4)}AAAA`)).toThrow();
    expect(() => box.decryptShared(`${sealed.slice(0, -4)}AAAA`)).toThrow();
  });

  it('detects tampering and a different key', () => {
    const box = new SecretBox(randomBytes(32));
    const sealed = box.encrypt('value');
    const parts = sealed.split(':');
    parts[4] = Buffer.from('other').toString('base64url');
    expect(() => box.decrypt(parts.join(':'))).toThrow();
    expect(() => new SecretBox(randomBytes(32)).decrypt(sealed)).toThrow(
      /Encrypted with another key/,
    );
  });

  it('generates a key in the data folder once and reuses it', async () => {
    const dataDir = temporaryFolder('baton-secrets-');
    const first = await SecretBox.fromKeyOrDataDir({ dataDir });
    const sealed = first.encrypt('x');
    const keyFile = path.join(dataDir, 'secret.key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const second = await SecretBox.fromKeyOrDataDir({ dataDir });
    expect(second.decrypt(sealed)).toBe('x');

    const configured = await SecretBox.fromKeyOrDataDir({
      key: readFileSync(keyFile, 'utf8'),
      dataDir: '/nonexistent',
    });
    expect(configured.decrypt(sealed)).toBe('x');
  });

  it('refuses a key of the wrong size, naming where it came from', async () => {
    await expect(
      SecretBox.fromKeyOrDataDir({ key: 'c2hvcnQ=', dataDir: '/tmp' }),
    ).rejects.toThrow(/orchestrator.secrets.key must hold 32 bytes/);
  });
});
