/*
 * The known-answer vectors as a C table. kat-to-c.py writes the table (kat_vectors.c, in the
 * build directory) from vectors/crypto/primitives.json; crypto_kat.c runs it through a
 * pw_crypto_provider.
 */
#ifndef PUMPWIRE_CRYPTO_KAT_H
#define PUMPWIRE_CRYPTO_KAT_H

#include <stdint.h>

enum kat_primitive {
    KAT_X25519,
    KAT_X25519_BASE,
    KAT_X25519_ITERATED,
    KAT_X25519_LOW_ORDER,
    KAT_AEAD_SEAL,
    KAT_AEAD_OPEN_FAIL,
    KAT_SHA256,
    KAT_HMAC_SHA256,
    KAT_HKDF_SHA256,
    KAT_PRIMITIVE_COUNT
};

typedef struct kat_bytes {
    const uint8_t *bytes; /* NULL when the vector has no such field */
    uint32_t length;
} kat_bytes;

typedef struct kat_vector {
    uint8_t primitive;  /* enum kat_primitive */
    const char *name;   /* the vector's name or id, for a failure line */
    kat_bytes scalar, point, key, nonce, ad, plaintext, ciphertext, tag, data, ikm, salt, info;
    kat_bytes expected; /* out, digest, okm: what the primitive must give */
    uint32_t length;     /* hkdf-sha256: bytes of output */
    uint32_t iterations; /* x25519-iterated */
} kat_vector;

extern const kat_vector kat_vectors[];
extern const uint32_t kat_vector_count;
extern const char kat_source[];             /* the JSON file the table was made from */
extern const char *const kat_skipped[];     /* one line per group of vectors not run here */
extern const uint32_t kat_skipped_count;    /* lines in kat_skipped */
extern uint8_t kat_buffer_a[], kat_buffer_b[]; /* scratch, kat_buffer_size bytes each */
extern const uint32_t kat_buffer_size;

#endif
