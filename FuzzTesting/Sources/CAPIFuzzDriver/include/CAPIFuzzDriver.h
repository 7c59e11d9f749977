#include <stddef.h>
#include <stdint.h>

/// One input of the FuzzCAPI target: a short program of calls to pumpwire.h, each checked against
/// the header's contract (capi_fuzz.c). Aborts, which libFuzzer reports, when a promise breaks.
int pumpwire_capi_fuzz_one(const uint8_t *data, size_t size);
