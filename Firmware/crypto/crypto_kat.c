/*
 * crypto-kat: every known-answer vector of the table kat-to-c.py made (kat.h) through the
 * cryptography provider table, pw_sodium_provider() (never libsodium directly), under QEMU.
 *
 * Prints one line per primitive, "<primitive>: N passed, M failed" with the peak stack of its
 * provider calls, a line per failing vector, a line per group of vectors not run here, and last
 * "crypto KAT: N passed, M failed". Exits 0 only when nothing failed. Also checks a few promises
 * of pumpwire_crypto.h that no vector states ("provider contract").
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "kat.h"
#include "platform.h"
#include "pumpwire_crypto.h"
#include "sodium_provider.h"

#define STACK_PAINT 8192u

static const char *const primitive_names[KAT_PRIMITIVE_COUNT] = {
    [KAT_X25519] = "x25519",
    [KAT_X25519_BASE] = "x25519-base",
    [KAT_X25519_ITERATED] = "x25519-iterated",
    [KAT_X25519_LOW_ORDER] = "x25519-low-order",
    [KAT_AEAD_SEAL] = "aead-chacha20poly1305-seal",
    [KAT_AEAD_OPEN_FAIL] = "aead-chacha20poly1305-open-fail",
    [KAT_SHA256] = "sha256",
    [KAT_HMAC_SHA256] = "hmac-sha256",
    [KAT_HKDF_SHA256] = "hkdf-sha256",
};

static pw_crypto_provider provider;
static uint32_t passed[KAT_PRIMITIVE_COUNT], failed[KAT_PRIMITIVE_COUNT], seen[KAT_PRIMITIVE_COUNT];
static uint32_t refused_low_order; /* x25519-low-order vectors the provider refused (not only zero output) */
static unsigned long stack_peak[KAT_PRIMITIVE_COUNT];

/* ---- output, without stdio ---------------------------------------------------------------- */


static void put_hex(const uint8_t *bytes, uint32_t length)
{
    static const char hex[] = "0123456789abcdef";
    char pair[3] = {0, 0, 0};
    for (uint32_t i = 0; i < length; i++) {
        pair[0] = hex[bytes[i] >> 4];
        pair[1] = hex[bytes[i] & 15];
        platform_stdout_print(pair);
    }
}

static void fail(const kat_vector *v, const char *why, const uint8_t *got, uint32_t length)
{
    platform_stdout_print("FAIL ");
    platform_stdout_print(primitive_names[v->primitive]);
    platform_stdout_print(" ");
    platform_stdout_print(v->name);
    platform_stdout_print(": ");
    platform_stdout_print(why);
    if (got != NULL) {
        platform_stdout_print(": got ");
        put_hex(got, length);
    }
    platform_stdout_print("\n");
}

static int equal(const uint8_t *a, const uint8_t *b, uint32_t length)
{
    return length == 0 || memcmp(a, b, length) == 0;
}

static int is_zero(const uint8_t *bytes, uint32_t length)
{
    uint8_t any = 0;
    for (uint32_t i = 0; i < length; i++)
        any |= bytes[i];
    return any == 0;
}

/* ---- one vector --------------------------------------------------------------------------- */

static int run_x25519(const kat_vector *v)
{
    uint8_t out[32];
    memset(out, 0xa5, sizeof out);
    if (provider.x25519(provider.context, out, v->scalar.bytes, v->point.bytes) != 0) {
        fail(v, "the provider refused", NULL, 0);
        return 0;
    }
    if (!equal(out, v->expected.bytes, 32)) {
        fail(v, "wrong output", out, 32);
        return 0;
    }
    return 1;
}

static int run_x25519_base(const kat_vector *v)
{
    uint8_t out[32];
    memset(out, 0xa5, sizeof out);
    if (provider.x25519_base(provider.context, out, v->scalar.bytes) != 0) {
        fail(v, "the provider refused", NULL, 0);
        return 0;
    }
    if (!equal(out, v->expected.bytes, 32)) {
        fail(v, "wrong output", out, 32);
        return 0;
    }
    return 1;
}

/* RFC 7748 5.2: k = X25519(k, u) and u = the old k, `iterations` times. */
static int run_x25519_iterated(const kat_vector *v)
{
    uint8_t k[32], u[32], out[32];
    memcpy(k, v->scalar.bytes, 32);
    memcpy(u, v->point.bytes, 32);
    for (uint32_t i = 0; i < v->iterations; i++) {
        if (provider.x25519(provider.context, out, k, u) != 0) {
            fail(v, "the provider refused an iteration", NULL, 0);
            return 0;
        }
        memcpy(u, k, 32);
        memcpy(k, out, 32);
    }
    if (!equal(k, v->expected.bytes, 32)) {
        fail(v, "wrong output", k, 32);
        return 0;
    }
    return 1;
}

/* A low-order point: the provider must refuse, or give the all-zero output the core then refuses
 * (PW-SEC-4). */
static int run_x25519_low_order(const kat_vector *v)
{
    uint8_t out[32];
    memset(out, 0xa5, sizeof out);
    if (provider.x25519(provider.context, out, v->scalar.bytes, v->point.bytes) != 0) {
        refused_low_order++;
        return 1;
    }
    if (!is_zero(out, 32)) {
        fail(v, "accepted with a non-zero output", out, 32);
        return 0;
    }
    return 1;
}

/* Seal out of place and in place, open out of place and in place. */
static int run_aead_seal(const kat_vector *v)
{
    uint32_t n = v->plaintext.length;
    uint8_t tag[16];
    uint8_t *a = kat_buffer_a, *b = kat_buffer_b;

    memset(a, 0xa5, n + 1);
    if (provider.aead_seal(provider.context, a, tag, v->key.bytes, v->nonce.bytes, v->ad.bytes, v->ad.length,
                           v->plaintext.bytes, n) != 0) {
        fail(v, "seal refused", NULL, 0);
        return 0;
    }
    if (!equal(a, v->ciphertext.bytes, n) || a[n] != 0xa5) {
        fail(v, "wrong ciphertext", a, n);
        return 0;
    }
    if (!equal(tag, v->tag.bytes, 16)) {
        fail(v, "wrong tag", tag, 16);
        return 0;
    }
    memcpy(a, v->plaintext.bytes, n);
    memset(tag, 0, sizeof tag);
    if (provider.aead_seal(provider.context, a, tag, v->key.bytes, v->nonce.bytes, v->ad.bytes, v->ad.length,
                           a, n) != 0 || !equal(a, v->ciphertext.bytes, n) || !equal(tag, v->tag.bytes, 16)) {
        fail(v, "sealing in place differs", a, n);
        return 0;
    }
    memset(b, 0xa5, n + 1);
    if (provider.aead_open(provider.context, b, v->key.bytes, v->nonce.bytes, v->ad.bytes, v->ad.length,
                           v->ciphertext.bytes, n, v->tag.bytes) != 0) {
        fail(v, "open refused the vector's own ciphertext", NULL, 0);
        return 0;
    }
    if (!equal(b, v->plaintext.bytes, n) || b[n] != 0xa5) {
        fail(v, "open gave a wrong plaintext", b, n);
        return 0;
    }
    if (provider.aead_open(provider.context, a, v->key.bytes, v->nonce.bytes, v->ad.bytes, v->ad.length,
                           a, n, v->tag.bytes) != 0 || !equal(a, v->plaintext.bytes, n)) {
        fail(v, "opening in place differs", a, n);
        return 0;
    }
    return 1;
}

static int run_aead_open_fail(const kat_vector *v)
{
    uint32_t n = v->ciphertext.length;
    if (provider.aead_open(provider.context, kat_buffer_a, v->key.bytes, v->nonce.bytes, v->ad.bytes,
                           v->ad.length, v->ciphertext.bytes, n, v->tag.bytes) == 0) {
        fail(v, "opened a ciphertext that must be refused", kat_buffer_a, n);
        return 0;
    }
    return 1;
}

/* The whole input as `first`, then split in two at the middle and at each end. */
static int run_sha256(const kat_vector *v)
{
    uint32_t n = v->data.length;
    const uint32_t splits[3] = {n, n / 2, 0};
    uint8_t out[32];
    for (int i = 0; i < 3; i++) {
        uint32_t at = splits[i];
        memset(out, 0xa5, sizeof out);
        provider.sha256(provider.context, out, v->data.bytes, at, v->data.bytes + at, n - at);
        if (!equal(out, v->expected.bytes, 32)) {
            fail(v, i == 0 ? "wrong digest" : "wrong digest of the input split in two", out, 32);
            return 0;
        }
    }
    return 1;
}

static int run_hmac_sha256(const kat_vector *v)
{
    uint8_t out[32];
    memset(out, 0xa5, sizeof out);
    provider.hmac_sha256(provider.context, out, v->key.bytes, v->key.length, v->data.bytes, v->data.length);
    if (!equal(out, v->expected.bytes, v->expected.length)) {
        fail(v, "wrong output", out, 32);
        return 0;
    }
    return 1;
}

static int run_hkdf_sha256(const kat_vector *v)
{
    uint32_t n = v->length;
    memset(kat_buffer_a, 0xa5, n + 1);
    if (provider.hkdf_sha256(provider.context, kat_buffer_a, n, v->salt.bytes, v->salt.length, v->ikm.bytes,
                             v->ikm.length, v->info.bytes, v->info.length) != 0) {
        fail(v, "the provider refused", NULL, 0);
        return 0;
    }
    if (!equal(kat_buffer_a, v->expected.bytes, n)) {
        fail(v, "wrong output", kat_buffer_a, n);
        return 0;
    }
    if (kat_buffer_a[n] != 0xa5) {
        fail(v, "wrote past the output", NULL, 0);
        return 0;
    }
    return 1;
}

static int run_vector(const kat_vector *v)
{
    switch (v->primitive) {
    case KAT_X25519: return run_x25519(v);
    case KAT_X25519_BASE: return run_x25519_base(v);
    case KAT_X25519_ITERATED: return run_x25519_iterated(v);
    case KAT_X25519_LOW_ORDER: return run_x25519_low_order(v);
    case KAT_AEAD_SEAL: return run_aead_seal(v);
    case KAT_AEAD_OPEN_FAIL: return run_aead_open_fail(v);
    case KAT_SHA256: return run_sha256(v);
    case KAT_HMAC_SHA256: return run_hmac_sha256(v);
    case KAT_HKDF_SHA256: return run_hkdf_sha256(v);
    default: return 0;
    }
}

/* ---- promises of pumpwire_crypto.h that no vector states ----------------------------------- */

static uint32_t contract_passed, contract_failed;

static void contract(int ok, const char *what)
{
    if (ok) {
        contract_passed++;
    } else {
        contract_failed++;
        platform_stdout_print("FAIL provider contract: ");
        platform_stdout_print(what);
        platform_stdout_print("\n");
    }
}

static void check_contract(void)
{
    static const uint8_t key[32] = {1}, nonce[12] = {2};
    uint8_t out[32], tag[16], again[16];

    /* HKDF-SHA256 gives at most 255 * 32 bytes. */
    contract(provider.hkdf_sha256(provider.context, kat_buffer_a, 255u * 32u + 1u, NULL, 0, key, 32, NULL, 0) != 0,
             "hkdf_sha256 accepted 8161 bytes of output");
    /* An empty message: the tag alone, and it opens. */
    contract(provider.aead_seal(provider.context, NULL, tag, key, nonce, NULL, 0, NULL, 0) == 0
                 && provider.aead_open(provider.context, NULL, key, nonce, NULL, 0, NULL, 0, tag) == 0,
             "an empty message does not seal and open");
    /* A tag for other associated data is refused. */
    memcpy(again, tag, sizeof again);
    contract(provider.aead_open(provider.context, NULL, key, nonce, key, 1, NULL, 0, again) != 0,
             "a tag opened with other associated data");
    /* A failed x25519 leaves no old bytes in `out` (the all-zero point). */
    memset(out, 0xa5, sizeof out);
    (void)provider.x25519(provider.context, out, key, (const uint8_t[32]){0});
    contract(is_zero(out, 32), "x25519 of the all-zero point left non-zero bytes in its output");
    /* The random hook answers (QEMU: the deterministic test generator, platform/test_random.c). */
    memset(out, 0, sizeof out);
    contract(provider.random(provider.context, out, sizeof out) == 0 && !is_zero(out, 32),
             "random failed or gave 32 zero bytes");
}

int main(void)
{
    platform_init();
    provider = pw_sodium_provider();

    for (uint32_t i = 0; i < kat_vector_count; i++) {
        const kat_vector *v = &kat_vectors[i];
        uintptr_t sp = platform_stack_pointer();
        platform_stack_paint(STACK_PAINT);
        int ok = run_vector(v);
        unsigned long used = platform_stack_used(sp, STACK_PAINT);
        seen[v->primitive]++;
        if (used > stack_peak[v->primitive])
            stack_peak[v->primitive] = used;
        if (ok)
            passed[v->primitive]++;
        else
            failed[v->primitive]++;
    }
    check_contract();

    platform_stdout_print("crypto KAT from ");
    platform_stdout_print(kat_source);
    platform_stdout_print(" through pw_sodium_provider (libsodium)\n");
    uint32_t total_passed = contract_passed, total_failed = contract_failed;
    for (int p = 0; p < KAT_PRIMITIVE_COUNT; p++) {
        platform_stdout_print(primitive_names[p]);
        platform_stdout_print(": ");
        platform_stdout_print_number(passed[p]);
        platform_stdout_print(" passed, ");
        platform_stdout_print_number(failed[p]);
        platform_stdout_print(" failed");
        if (seen[p] == 0) {
            platform_stdout_print(" (no vector)");
        } else {
            platform_stdout_print(" (peak stack ");
            platform_stdout_print_number(stack_peak[p]);
            platform_stdout_print(" B");
            if (p == KAT_X25519_LOW_ORDER) {
                platform_stdout_print("; refused by the provider ");
                platform_stdout_print_number(refused_low_order);
                platform_stdout_print(", all-zero output ");
                platform_stdout_print_number(passed[p] - refused_low_order);
            }
            platform_stdout_print(")");
        }
        platform_stdout_print("\n");
        total_passed += passed[p];
        total_failed += failed[p];
    }
    platform_stdout_print("provider contract: ");
    platform_stdout_print_number(contract_passed);
    platform_stdout_print(" passed, ");
    platform_stdout_print_number(contract_failed);
    platform_stdout_print(" failed\n");
    for (uint32_t i = 0; i < kat_skipped_count; i++) {
        platform_stdout_print(kat_skipped[i]);
        platform_stdout_print("\n");
    }
    platform_stdout_print("crypto KAT: ");
    platform_stdout_print_number(total_passed);
    platform_stdout_print(" passed, ");
    platform_stdout_print_number(total_failed);
    platform_stdout_print(" failed\n");
    platform_exit(total_failed == 0 ? 0 : 1);
}
