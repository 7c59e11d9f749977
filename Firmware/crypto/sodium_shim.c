/*
 * The one libsodium symbol the firmware subset needs and does not compile: sodium_misuse, which
 * libsodium calls when a caller breaks its API contract (for instance a message longer than the
 * cipher allows). libsodium's own (sodium/core.c) runs a handler and calls abort(), and brings
 * sodium_init, CPU feature detection and locking with it. Here it traps: the platform's fault
 * handler ends the program (exit status 134 under QEMU); a pump's handler resets it safely.
 */
#include "core.h"

void sodium_misuse(void)
{
    __builtin_trap();
}
