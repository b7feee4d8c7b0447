import type { SecretKeyStore } from '../database/SecretKeyStore';
import type { SecretBox } from './SecretBox';

/**
 * Refuses to start with a key other than the one the database's secrets are
 * encrypted with: a replica given its own generated key would otherwise fail
 * every deployment that reads what another replica wrote. The first backend
 * on a database records its key's fingerprint.
 *
 * @internal
 */
export async function verifySecretKey(secrets: SecretBox, keyStore: SecretKeyStore): Promise<void> {
  const recorded = await keyStore.claimKeyId(secrets.keyId);
  if (recorded !== secrets.keyId) {
    throw new Error(
      `The database's secrets are encrypted with key ${recorded}, but this backend's key (${secrets.source}) is ${secrets.keyId}. ` +
        'Every backend sharing a database must use the same key: set orchestrator.secrets.key to the key the others use.',
    );
  }
}
