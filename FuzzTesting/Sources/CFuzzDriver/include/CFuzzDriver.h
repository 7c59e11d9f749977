#include <stddef.h>
#include <stdint.h>

/// Runs libFuzzer's driver with `test_one_input` as the target. SwiftPM links every executable
/// with `main` aliased to `<Module>_main`, so each fuzz target defines that symbol and calls this,
/// instead of relying on libFuzzer's own `main`.
int pumpwire_fuzz_main(int argc, char **argv, int (*test_one_input)(const uint8_t *data, size_t size));
