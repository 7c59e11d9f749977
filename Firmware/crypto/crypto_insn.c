/*
 * crypto-insn: one call of each provider function between calls of crypto_insn_mark, so that
 * insn-count-plugin.c can count the instructions each takes under QEMU (`make -C Firmware
 * crypto-insn`). Prints the name of each interval, one a line, in the order the plugin counts
 * them; the first interval is empty (two marks in a row), the cost of a mark itself.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "platform.h"
#include "pumpwire_crypto.h"
#include "sodium_provider.h"

/* A return and nothing else; noipa keeps every call of it. */
__attribute__((noipa)) void crypto_insn_mark(void) {}


/* RFC 7748 6.1: Alice's private key and Bob's public key. */
static const uint8_t scalar[32] = {
    0x77, 0x07, 0x6d, 0x0a, 0x73, 0x18, 0xa5, 0x7d, 0x3c, 0x16, 0xc1, 0x72, 0x51, 0xb2, 0x66, 0x45,
    0xdf, 0x4c, 0x2f, 0x87, 0xeb, 0xc0, 0x99, 0x2a, 0xb1, 0x77, 0xfb, 0xa5, 0x1d, 0xb9, 0x2c, 0x2a,
};
static const uint8_t point[32] = {
    0xde, 0x9e, 0xdb, 0x7d, 0x7b, 0x7d, 0xc1, 0xb4, 0xd3, 0x5b, 0x61, 0xc2, 0xec, 0xe4, 0x35, 0x37,
    0x3f, 0x83, 0x43, 0xc8, 0x5b, 0x78, 0x67, 0x4d, 0xad, 0xfc, 0x7e, 0x14, 0x6f, 0x88, 0x2b, 0x4f,
};

int main(void)
{
    platform_init();
    pw_crypto_provider p = pw_sodium_provider();
    static uint8_t key[32] = {1}, nonce[12] = {2}, ad[16] = {3}, message[240], sealed[240], out[64];
    uint8_t tag[16];
    int failures = 0;
    for (size_t i = 0; i < sizeof message; i++)
        message[i] = (uint8_t)i;

    crypto_insn_mark();
    crypto_insn_mark();
    failures |= p.x25519(p.context, out, scalar, point);
    crypto_insn_mark();
    failures |= p.x25519_base(p.context, out, scalar);
    crypto_insn_mark();
    failures |= p.aead_seal(p.context, sealed, tag, key, nonce, NULL, 0, message, sizeof message);
    crypto_insn_mark();
    failures |= p.aead_seal(p.context, sealed, tag, key, nonce, ad, sizeof ad, message, sizeof message);
    crypto_insn_mark();
    failures |= p.aead_open(p.context, message, key, nonce, ad, sizeof ad, sealed, sizeof sealed, tag);
    crypto_insn_mark();
    p.sha256(p.context, out, message, sizeof message, NULL, 0);
    crypto_insn_mark();
    p.hmac_sha256(p.context, out, key, sizeof key, message, sizeof message);
    crypto_insn_mark();
    failures |= p.hkdf_sha256(p.context, out, 64, key, sizeof key, scalar, sizeof scalar, NULL, 0);
    crypto_insn_mark();

    /* Printed after the last mark, so that no output is counted. */
    platform_stdout_print("(a mark alone)\n");
    platform_stdout_print("x25519 (RFC 7748 6.1: Alice's key, Bob's public key)\n");
    platform_stdout_print("x25519_base\n");
    platform_stdout_print("aead_seal, 240-byte plaintext, no associated data\n");
    platform_stdout_print("aead_seal, 240-byte plaintext, 16 bytes of associated data\n");
    platform_stdout_print("aead_open, 240 bytes, 16 bytes of associated data\n");
    platform_stdout_print("sha256 of 240 bytes\n");
    platform_stdout_print("hmac_sha256 of 240 bytes, 32-byte key\n");
    platform_stdout_print("hkdf_sha256, 64 bytes out (Noise's HKDF with two outputs)\n");
    platform_exit(failures != 0 ? 1 : 0);
}
