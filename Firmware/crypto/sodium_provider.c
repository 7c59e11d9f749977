/*
 * pw_crypto_provider over libsodium (see sodium_provider.h). Each function only adapts the
 * arguments: the cryptography is libsodium's. Secrets held on this layer's stack (a hash or HMAC
 * state, HKDF's pseudorandom key) are wiped with sodium_memzero before returning.
 */
#include "sodium_provider.h"

#include <string.h>

#include "crypto_aead_chacha20poly1305.h"
#include "crypto_auth_hmacsha256.h"
#include "crypto_hash_sha256.h"
#include "crypto_kdf_hkdf_sha256.h"
#include "crypto_scalarmult_curve25519.h"
#include "utils.h"

_Static_assert(PW_X25519_KEY_SIZE == crypto_scalarmult_curve25519_BYTES, "X25519 key size");
_Static_assert(PW_X25519_KEY_SIZE == crypto_scalarmult_curve25519_SCALARBYTES, "X25519 scalar size");
_Static_assert(PW_AEAD_KEY_SIZE == crypto_aead_chacha20poly1305_ietf_KEYBYTES, "AEAD key size");
_Static_assert(PW_AEAD_NONCE_SIZE == crypto_aead_chacha20poly1305_ietf_NPUBBYTES, "AEAD nonce size");
_Static_assert(PW_AEAD_TAG_SIZE == crypto_aead_chacha20poly1305_ietf_ABYTES, "AEAD tag size");
_Static_assert(PW_SHA256_SIZE == crypto_hash_sha256_BYTES, "SHA-256 size");
_Static_assert(PW_SHA256_SIZE == crypto_auth_hmacsha256_BYTES, "HMAC-SHA256 size");
_Static_assert(PW_SHA256_SIZE == crypto_kdf_hkdf_sha256_KEYBYTES, "HKDF-SHA256 PRK size");

/* libsodium refuses a low-order point before the ladder and an all-zero result after it; `out` is
 * then left as it was, so it is zeroed here: a failed call never hands back old bytes. */
static int sodium_x25519(void *context, uint8_t out[32], const uint8_t scalar[32], const uint8_t point[32])
{
    (void)context;
    if (crypto_scalarmult_curve25519(out, scalar, point) != 0) {
        sodium_memzero(out, crypto_scalarmult_curve25519_BYTES);
        return -1;
    }
    return 0;
}

static int sodium_x25519_base(void *context, uint8_t out[32], const uint8_t scalar[32])
{
    (void)context;
    if (crypto_scalarmult_curve25519_base(out, scalar) != 0) {
        sodium_memzero(out, crypto_scalarmult_curve25519_BYTES);
        return -1;
    }
    return 0;
}

static int sodium_aead_seal(void *context, uint8_t *ciphertext, uint8_t tag[16], const uint8_t key[32],
                            const uint8_t nonce[12], const uint8_t *ad, size_t ad_length,
                            const uint8_t *plaintext, size_t length)
{
    (void)context;
    if ((unsigned long long)length > crypto_aead_chacha20poly1305_ietf_MESSAGEBYTES_MAX)
        return -1;
    return crypto_aead_chacha20poly1305_ietf_encrypt_detached(ciphertext, tag, NULL, plaintext, length,
                                                              ad, ad_length, NULL, nonce, key);
}

/* libsodium checks the tag first and decrypts only when it verifies (it zeroes `plaintext` when
 * it does not); `plaintext` may equal `ciphertext`. */
static int sodium_aead_open(void *context, uint8_t *plaintext, const uint8_t key[32], const uint8_t nonce[12],
                            const uint8_t *ad, size_t ad_length, const uint8_t *ciphertext, size_t length,
                            const uint8_t tag[16])
{
    (void)context;
    if ((unsigned long long)length > crypto_aead_chacha20poly1305_ietf_MESSAGEBYTES_MAX)
        return -1;
    return crypto_aead_chacha20poly1305_ietf_decrypt_detached(plaintext, NULL, ciphertext, length, tag,
                                                              ad, ad_length, nonce, key) != 0 ? -1 : 0;
}

static void sodium_sha256(void *context, uint8_t out[32], const uint8_t *first, size_t first_length,
                          const uint8_t *second, size_t second_length)
{
    crypto_hash_sha256_state state;
    (void)context;
    crypto_hash_sha256_init(&state);
    crypto_hash_sha256_update(&state, first, first_length);
    crypto_hash_sha256_update(&state, second, second_length);
    crypto_hash_sha256_final(&state, out);
    sodium_memzero(&state, sizeof state);
}

static void sodium_hmac_sha256(void *context, uint8_t out[32], const uint8_t *key, size_t key_length,
                               const uint8_t *data, size_t data_length)
{
    crypto_auth_hmacsha256_state state;
    (void)context;
    crypto_auth_hmacsha256_init(&state, key, key_length);
    crypto_auth_hmacsha256_update(&state, data, data_length);
    crypto_auth_hmacsha256_final(&state, out);
    sodium_memzero(&state, sizeof state);
}

/* An empty salt is HMAC's all-zero key of RFC 5869 2.2: HMAC pads a short key with zeros. */
static int sodium_hkdf_sha256(void *context, uint8_t *out, size_t out_length, const uint8_t *salt,
                              size_t salt_length, const uint8_t *ikm, size_t ikm_length,
                              const uint8_t *info, size_t info_length)
{
    uint8_t prk[crypto_kdf_hkdf_sha256_KEYBYTES];
    int result;
    (void)context;
    if (out_length > crypto_kdf_hkdf_sha256_BYTES_MAX)
        return -1;
    if (crypto_kdf_hkdf_sha256_extract(prk, salt, salt_length, ikm, ikm_length) != 0) {
        sodium_memzero(prk, sizeof prk);
        return -1;
    }
    result = crypto_kdf_hkdf_sha256_expand(out, out_length, (const char *)info, info_length, prk);
    sodium_memzero(prk, sizeof prk);
    return result != 0 ? -1 : 0;
}

static int sodium_random(void *context, uint8_t *out, size_t length)
{
    (void)context;
    return platform_random(out, length) != 0 ? -1 : 0;
}

pw_crypto_provider pw_sodium_provider(void)
{
    pw_crypto_provider provider = {
        .context = NULL,
        .x25519 = sodium_x25519,
        .x25519_base = sodium_x25519_base,
        .aead_seal = sodium_aead_seal,
        .aead_open = sodium_aead_open,
        .sha256 = sodium_sha256,
        .hmac_sha256 = sodium_hmac_sha256,
        .hkdf_sha256 = sodium_hkdf_sha256,
        .random = sodium_random,
    };
    return provider;
}
