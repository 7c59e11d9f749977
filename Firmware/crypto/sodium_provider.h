/*
 * A pw_crypto_provider (Sources/CPumpWire/include/pumpwire_crypto.h) over libsodium, for the
 * firmware builds. libsodium is not in this repository: `make -C Firmware` fetches the pinned
 * PyPI sdist pynacl 1.6.2, checks its sha256 and compiles the few libsodium sources these
 * primitives need (Firmware/README.md, "Cryptography").
 *
 *   X25519            crypto_scalarmult_curve25519 / _base (ref10, 25.5-bit limbs on 32-bit targets)
 *   ChaCha20-Poly1305 crypto_aead_chacha20poly1305_ietf_encrypt_detached / _decrypt_detached (RFC 8439)
 *   SHA-256           crypto_hash_sha256_init / _update / _final
 *   HMAC-SHA256       crypto_auth_hmacsha256_init / _update / _final
 *   HKDF-SHA256       crypto_kdf_hkdf_sha256_extract / _expand
 *   random            platform_random, below
 */
#ifndef PUMPWIRE_SODIUM_PROVIDER_H
#define PUMPWIRE_SODIUM_PROVIDER_H

#include <stddef.h>
#include <stdint.h>

#include "pumpwire_crypto.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The filled table; its context is NULL (the functions keep no state). */
pw_crypto_provider pw_sodium_provider(void);

/*
 * The platform's random source, which the provider's `random` calls: 0 on success, non-zero when
 * the source failed. A real pump MUST implement it over a hardware TRNG with health tests; under
 * QEMU, Firmware/platform/test_random.c is a deterministic test generator, not for production.
 * (Also declared in Firmware/platform/platform.h.)
 */
int platform_random(uint8_t *out, size_t length);

#ifdef __cplusplus
}
#endif

#endif /* PUMPWIRE_SODIUM_PROVIDER_H */
