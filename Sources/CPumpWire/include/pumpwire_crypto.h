/*
 * pumpwire_crypto.h: the cryptography a PumpWire secure session needs (spec section 6), as a table
 * of function pointers that the caller fills. PumpWireCore never implements a primitive: it calls
 * these. Firmware plugs in a C library or a hardware engine; the host library plugs in swift-crypto.
 *
 * Suite: Noise_*_25519_ChaChaPoly_SHA256 (spec 6.3). Every function is given `context` first, as
 * stored in the table, and must not keep the pointers it is given after it returns. A function that
 * returns int returns 0 on success and any other value on failure.
 */
#ifndef PUMPWIRE_CRYPTO_H
#define PUMPWIRE_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PW_X25519_KEY_SIZE 32
#define PW_AEAD_KEY_SIZE 32
#define PW_AEAD_NONCE_SIZE 12
#define PW_AEAD_TAG_SIZE 16
#define PW_SHA256_SIZE 32

typedef struct pw_crypto_provider {
    void *context;
    /* X25519 (RFC 7748): out = scalar * point. May fail (for instance on an all-zero result, as
     * libsodium does); the core checks for an all-zero result itself either way (PW-SEC-4). */
    int (*x25519)(void *context, uint8_t out[32], const uint8_t scalar[32], const uint8_t point[32]);
    /* X25519 with the base point 9: the public key of a private key. */
    int (*x25519_base)(void *context, uint8_t out[32], const uint8_t scalar[32]);
    /* ChaCha20-Poly1305 (RFC 8439, 12-byte nonce). `ciphertext` may equal `plaintext`. */
    int (*aead_seal)(void *context, uint8_t *ciphertext, uint8_t tag[16], const uint8_t key[32],
                     const uint8_t nonce[12], const uint8_t *ad, size_t ad_length,
                     const uint8_t *plaintext, size_t length);
    /* Returns non-zero when the tag does not verify; `plaintext` is then unspecified. `plaintext`
     * may equal `ciphertext`. */
    int (*aead_open)(void *context, uint8_t *plaintext, const uint8_t key[32], const uint8_t nonce[12],
                     const uint8_t *ad, size_t ad_length, const uint8_t *ciphertext, size_t length,
                     const uint8_t tag[16]);
    /* SHA-256 (FIPS 180-4) of the concatenation first || second (either may be empty). */
    void (*sha256)(void *context, uint8_t out[32], const uint8_t *first, size_t first_length,
                   const uint8_t *second, size_t second_length);
    /* HMAC-SHA256 (RFC 2104, RFC 4231). */
    void (*hmac_sha256)(void *context, uint8_t out[32], const uint8_t *key, size_t key_length,
                        const uint8_t *data, size_t data_length);
    /* HKDF-SHA256 (RFC 5869), extract then expand, `out_length` at most 255 * 32. */
    int (*hkdf_sha256)(void *context, uint8_t *out, size_t out_length, const uint8_t *salt,
                       size_t salt_length, const uint8_t *ikm, size_t ikm_length,
                       const uint8_t *info, size_t info_length);
    /* Random bytes from a cryptographically secure source, for ephemeral keys. */
    int (*random)(void *context, uint8_t *out, size_t length);
} pw_crypto_provider;

#ifdef __cplusplus
}
#endif

#endif /* PUMPWIRE_CRYPTO_H */
