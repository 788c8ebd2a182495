/**
 * The emulator's Curve25519 key pair for Actions secrets. Clients (go-github via the provider, or a test with
 * libsodium) seal a secret to the public key served by `.../secrets/public-key`; the emulator opens the sealed
 * box exactly as GitHub does, so a wrongly sealed value fails here as it would there.
 */
import { randomInt } from "node:crypto";
import sodium from "libsodium-wrappers";

export interface SecretSealer {
  /** GitHub's key ids are opaque decimal strings, e.g. "568250167242549743". */
  readonly keyId: string;
  /** The public key, standard base64 with padding (what GitHub serves). */
  readonly publicKeyBase64: string;
  /** The plaintext, or undefined when the value is not base64 or not a sealed box for this key pair. */
  open(encryptedValueBase64: string): string | undefined;
}

export async function createSealer(): Promise<SecretSealer> {
  await sodium.ready;
  const pair = sodium.crypto_box_keypair();
  // 18 digits like GitHub's; the leading digit is non-zero so the id never looks zero-padded.
  const keyId = `${randomInt(1, 10)}${String(randomInt(0, 2 ** 47)).padStart(17, "0").slice(0, 17)}`;
  return {
    keyId,
    publicKeyBase64: sodium.to_base64(pair.publicKey, sodium.base64_variants.ORIGINAL),
    open(encryptedValueBase64: string): string | undefined {
      let cipher: Uint8Array;
      try {
        cipher = sodium.from_base64(encryptedValueBase64, sodium.base64_variants.ORIGINAL);
      } catch {
        return undefined;
      }
      if (cipher.length < sodium.crypto_box_SEALBYTES) return undefined;
      try {
        const plain = sodium.crypto_box_seal_open(cipher, pair.publicKey, pair.privateKey);
        return new TextDecoder("utf-8", { fatal: false }).decode(plain);
      } catch {
        return undefined;
      }
    },
  };
}
