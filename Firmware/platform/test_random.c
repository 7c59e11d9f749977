/*
 * platform_random for the QEMU test programs: a DETERMINISTIC TEST GENERATOR.
 *
 * NOT FOR PRODUCTION. It is not random at all: splitmix64 from a fixed seed,
 * the same bytes on every run, so that test runs under QEMU are repeatable.
 * QEMU's mps2-an386 and virt machines have no entropy source to read. A pump
 * must link its own platform_random over a hardware TRNG instead (platform.h).
 * The first call says so on stderr.
 */
#ifndef PLATFORM_TEST_RANDOM
#error "test_random.c is a deterministic test generator for QEMU runs only: a pump links platform_random over its TRNG (platform.h)"
#endif

#include "platform.h"

static uint64_t test_random_state = 0x5057435259505430ull; /* "PWCRYPT0": fixed on purpose */
static int test_random_announced;

static uint64_t splitmix64(void)
{
    uint64_t z = (test_random_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

int platform_random(uint8_t *out, size_t length)
{
    if (!test_random_announced) {
        test_random_announced = 1;
        platform_stderr_print("platform: random: DETERMINISTIC TEST GENERATOR (QEMU only, not for production)\n");
    }
    while (length > 0) {
        uint64_t word = splitmix64();
        for (int i = 0; i < 8 && length > 0; i++, length--) {
            *out++ = (uint8_t)word;
            word >>= 8;
        }
    }
    return 0;
}
