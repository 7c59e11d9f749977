/*
 * PumpWire firmware platform layer: raw semihosting I/O, exit, stack
 * measurement. Same API on both targets:
 *   - Cortex-M4 (QEMU mps2-an386, newlib + rdimon crt0)
 *   - RISC-V rv32imac (QEMU virt, picolibc + semihost crt0)
 *
 * No malloc, no stdio. The only mutable state is the three host handles
 * opened by platform_init(). See README.md for build/run flags and the
 * QEMU behaviour this relies on.
 */
#ifndef PUMPWIRE_PLATFORM_H
#define PUMPWIRE_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PLATFORM_STDIN  0
#define PLATFORM_STDOUT 1
#define PLATFORM_STDERR 2

/*
 * Put large static buffers (multi-MiB messages) in the big RAM area:
 *   static uint8_t request[2u << 20] PLATFORM_BIGBUF;
 * ARM: 16 MiB at 0x21000000; RISC-V: 124 MiB at 0x80400000 (the 2 MiB
 * "ram" region cannot hold them). NOLOAD, not zeroed by crt0, but QEMU RAM
 * starts zeroed. (The .o carries the zeros as PROGBITS; the .elf does not.)
 */
#define PLATFORM_BIGBUF __attribute__((section(".bigbuf")))

/* Exit status used for every fault / trap (like SIGABRT: 128 + 6). */
#define PLATFORM_TRAP_STATUS 134

/*
 * Call first, before any other platform_* function. Opens ":tt" for
 * stdin/stdout/stderr (host fds 0/1/2) and, on RISC-V, installs the trap
 * handler (mtvec) and stack guard. Idempotent. Exits with status 134 if a
 * handle cannot be opened. (Forgetting it is not fatal: the I/O functions
 * open a missing handle on first use, and the fault/trap handlers are also
 * installed by the reset handler (ARM) / a constructor (RISC-V).)
 */
void platform_init(void);

/*
 * Read up to len bytes from fd (PLATFORM_STDIN). Binary-safe.
 * Returns the number of bytes read (1..len), 0 at end of input, or a
 * negative value on a bad fd.
 *
 * PARTIAL READS HAPPEN: one call is one host read(2). From a pipe it returns
 * whatever is available (blocking until at least one byte or EOF); from a
 * regular file it usually returns min(len, remaining). Callers that need an
 * exact count must loop. A host read error is indistinguishable from end of
 * input (QEMU reports both as "0 bytes transferred").
 */
long platform_read(int fd, void *buf, unsigned long len);

/*
 * Write all len bytes to fd (PLATFORM_STDOUT / PLATFORM_STDERR), looping on
 * short writes. Returns len, or a negative value if the host stops accepting
 * bytes (e.g. closed pipe) or fd is bad.
 */
long platform_write(int fd, const void *buf, unsigned long len);

/* Write a NUL-terminated string to stderr. */
void platform_stderr_print(const char *s);

/* Write a NUL-terminated string to stdout; and an unsigned number in decimal. */
void platform_stdout_print(const char *s);
void platform_stdout_print_number(unsigned long value);

/*
 * End the program: status (0..255) becomes QEMU's exit status on both
 * targets (SYS_EXIT_EXTENDED). Does not run atexit handlers or flush stdio.
 */
__attribute__((noreturn)) void platform_exit(int status);

/*
 * Print "<what>" plus a newline to stderr and exit with status 134. Used by
 * the fault/trap handlers; also usable as a firmware panic.
 */
__attribute__((noreturn)) void platform_panic(const char *what);

/*
 * Write "0x" and 8 lowercase hex digits of v to out (no NUL); returns the
 * position after the last character. For panic messages without stdio.
 */
char *platform_fmt_hex32(char *out, uint32_t v);

/* ---- Stack measurement -------------------------------------------------
 *
 *   uintptr_t sp = platform_stack_pointer();
 *   platform_stack_paint(8192);
 *   call_something();
 *   unsigned long used = platform_stack_used(sp, 8192);
 *
 * platform_stack_paint(depth) (noinline, calls nothing) fills the
 * depth + PLATFORM_STACK_PAINT_GAP bytes that end 16 bytes below its own sp
 * with PLATFORM_STACK_PATTERN, so its own frame is never touched. Make
 * sure the stack has depth + 128 bytes free below the caller's sp.
 *
 * platform_stack_used(sp, depth) scans [sp - depth, sp - GAP) upward for
 * the deepest word that no longer holds the pattern and returns sp minus
 * its address (a multiple of 4): the bytes below sp that call_something()
 * wrote, including its return address / saved registers. sp must be the
 * caller's stack pointer, taken in the same function that makes the call.
 * - Usage shallower than PLATFORM_STACK_PAINT_GAP (64) reads as 0.
 * - Exact at -Os/-O2; at -O0 the painter's own frame (~32 bytes) must stay
 *   under 48 bytes, else tiny usages read as ~64-100.
 * - It is a lower bound: reserved-but-unwritten stack (e.g. an untouched
 *   array) and words that happen to be written with the pattern are missed.
 * - A result equal to depth means the paint was overrun: use a larger depth.
 */
#define PLATFORM_STACK_PATTERN   0xC5A5C5A5u
#define PLATFORM_STACK_PAINT_GAP 64u

static inline __attribute__((always_inline)) uintptr_t platform_stack_pointer(void)
{
    uintptr_t sp;
#if defined(__riscv)
    __asm__ volatile("mv %0, sp" : "=r"(sp));
#elif defined(__arm__)
    __asm__ volatile("mov %0, sp" : "=r"(sp));
#else
#error "platform.h: unsupported architecture"
#endif
    return sp;
}

void platform_stack_paint(unsigned long depth);
unsigned long platform_stack_used(uintptr_t sp_at_call, unsigned long depth);

/* ---- Random bytes -----------------------------------------------------
 *
 * Fill out[0..length) from the platform's cryptographically secure random
 * source. Returns 0 on success; any other value when the source failed, and
 * then out must not be used. The cryptography provider (crypto/) takes all
 * its randomness (ephemeral and static X25519 keys) from here.
 *
 * A REAL PUMP MUST IMPLEMENT THIS OVER A HARDWARE TRUE RANDOM NUMBER
 * GENERATOR (with its start-up and continuous health tests, NIST SP 800-90B,
 * and a conditioner or DRBG as SP 800-90A/C describe) and return non-zero
 * when a health test fails. QEMU's mps2-an386 and virt machines have no
 * entropy source: platform/test_random.c is a DETERMINISTIC TEST GENERATOR
 * (the same bytes on every run), linked only into the QEMU test programs,
 * and it refuses to compile unless PLATFORM_TEST_RANDOM is defined.
 */
int platform_random(uint8_t *out, size_t length);

#ifdef __cplusplus
}
#endif

#endif
