/*
 * PumpWire firmware platform layer, common part (Cortex-M and RISC-V).
 * Raw semihosting (no newlib/picolibc stdio), exit, panic, stack painting.
 * See platform.h for the API contract and README.md for the QEMU facts.
 */
#include "platform.h"

/* Semihosting operations (Arm "Semihosting for AArch32 and AArch64" v2,
   shared by the RISC-V semihosting spec). */
#define SYS_OPEN          0x01
#define SYS_WRITE         0x05
#define SYS_READ          0x06
#define SYS_EXIT          0x18
#define SYS_EXIT_EXTENDED 0x20

#define ADP_Stopped_ApplicationExit 0x20026u
#define ADP_Stopped_RunTimeErrorUnknown 0x20023u

/* SYS_OPEN modes for ":tt": 0 "r" -> stdin, 4 "w" -> stdout, 8 "a" -> stderr. */
#define OPEN_MODE_R 0
#define OPEN_MODE_W 4
#define OPEN_MODE_A 8

#if defined(__arm__)

static inline long semihost(uintptr_t op, const void *arg)
{
    register uintptr_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return (long)r0;
}

#elif defined(__riscv)

/* The RISC-V semihosting trap is the exact uncompressed sequence
   slli x0,x0,0x1f / ebreak / srai x0,x0,7, which must not straddle a page:
   keep it in its own 16-byte aligned function. a0 = op, a1 = arg, ret a0. */
__asm__(
    "    .pushsection .text.platform_semihost_call,\"ax\",@progbits\n"
    "    .balign 16\n"
    "    .globl platform_semihost_call\n"
    "    .hidden platform_semihost_call\n"
    "    .type platform_semihost_call, @function\n"
    "    .option push\n"
    "    .option norvc\n"
    "platform_semihost_call:\n"
    "    slli x0, x0, 0x1f\n"
    "    ebreak\n"
    "    srai x0, x0, 7\n"
    "    ret\n"
    "    .option pop\n"
    "    .size platform_semihost_call, . - platform_semihost_call\n"
    "    .popsection\n");

long platform_semihost_call(uintptr_t op, const void *arg);

static inline long semihost(uintptr_t op, const void *arg)
{
    return platform_semihost_call(op, arg);
}

#else
#error "platform.c: unsupported architecture"
#endif

/* Target hook: arm/startup.c (nothing left to do) or riscv/trap.c (mtvec). */
void platform_target_init(void);

/* The only mutable state: semihosting handles for fds 0, 1, 2. */
static long platform_handles[3] = {-1, -1, -1};

static long open_tt(int fd)
{
    static const int modes[3] = {OPEN_MODE_R, OPEN_MODE_W, OPEN_MODE_A};
    uintptr_t block[3] = {(uintptr_t)":tt", (uintptr_t)modes[fd], 3};
    return semihost(SYS_OPEN, block);
}

static long handle(int fd)
{
    if (fd < 0 || fd > 2)
        return -1;
    if (platform_handles[fd] < 0)
        platform_handles[fd] = open_tt(fd);
    return platform_handles[fd];
}

void platform_init(void)
{
    platform_target_init();
    for (int fd = 0; fd < 3; fd++) {
        if (handle(fd) < 0) {
            /* Without stderr there is nobody to tell. */
            platform_exit(PLATFORM_TRAP_STATUS);
        }
    }
}

long platform_read(int fd, void *buf, unsigned long len)
{
    long h = handle(fd);
    if (h < 0)
        return -1;
    if (len == 0)
        return 0;
    uintptr_t block[3] = {(uintptr_t)h, (uintptr_t)buf, (uintptr_t)len};
    /* Returns the number of bytes NOT read; len means end of input. */
    unsigned long not_read = (unsigned long)semihost(SYS_READ, block);
    if (not_read > len)
        return -1;
    return (long)(len - not_read);
}

long platform_write(int fd, const void *buf, unsigned long len)
{
    long h = handle(fd);
    if (h < 0)
        return -1;
    const unsigned char *p = buf;
    unsigned long left = len;
    while (left > 0) {
        uintptr_t block[3] = {(uintptr_t)h, (uintptr_t)p, (uintptr_t)left};
        /* Returns the number of bytes NOT written. */
        unsigned long not_written = (unsigned long)semihost(SYS_WRITE, block);
        if (not_written >= left)
            return -1; /* nothing written: host side gone */
        p += left - not_written;
        left = not_written;
    }
    return (long)len;
}

void platform_stderr_print(const char *s)
{
    unsigned long n = 0;
    while (s[n] != '\0')
        n++;
    (void)platform_write(PLATFORM_STDERR, s, n);
}

void platform_stdout_print(const char *s)
{
    unsigned long n = 0;
    while (s[n] != '\0')
        n++;
    (void)platform_write(PLATFORM_STDOUT, s, n);
}

void platform_stdout_print_number(unsigned long value)
{
    char digits[21];
    int at = 20;
    digits[at] = '\0';
    do {
        digits[--at] = (char)('0' + value % 10);
        value /= 10;
    } while (value != 0);
    platform_stdout_print(&digits[at]);
}

void platform_exit(int status)
{
    uintptr_t block[2] = {ADP_Stopped_ApplicationExit, (uintptr_t)(status & 0xff)};
    (void)semihost(SYS_EXIT_EXTENDED, block);
    /* Fallback for hosts without SYS_EXIT_EXTENDED: status becomes 0 or 1.
       (32-bit SYS_EXIT takes the reason code itself, not a block.) */
    (void)semihost(SYS_EXIT, (const void *)(uintptr_t)(status == 0
        ? ADP_Stopped_ApplicationExit : ADP_Stopped_RunTimeErrorUnknown));
    for (;;) {
    }
}

void platform_panic(const char *what)
{
    platform_stderr_print(what);
    platform_stderr_print("\n");
    platform_exit(PLATFORM_TRAP_STATUS);
}

char *platform_fmt_hex32(char *out, uint32_t v)
{
    static const char digits[] = "0123456789abcdef";
    *out++ = '0';
    *out++ = 'x';
    for (int shift = 28; shift >= 0; shift -= 4)
        *out++ = digits[(v >> shift) & 0xfu];
    return out;
}

/* ---- Stack measurement ---------------------------------------------- */

/* noinline, and calls nothing: it only writes below its own sp minus
   PAINTER_MARGIN, so its own frame (at and above its sp) is never touched.
   Its own sp is the caller's sp minus this function's frame, which is 0 at
   -Os/-O2 and about 32 bytes at -O0; platform_stack_used stops scanning
   PLATFORM_STACK_PAINT_GAP (64) bytes below the caller's sp, so the scan
   covers painted words only as long as that frame is <= 48 bytes. */
#define PAINTER_MARGIN 16u

__attribute__((noinline)) void platform_stack_paint(unsigned long depth)
{
    uintptr_t top = (platform_stack_pointer() - PAINTER_MARGIN) & ~(uintptr_t)3;
    volatile uint32_t *p = (volatile uint32_t *)((top - depth - PLATFORM_STACK_PAINT_GAP) & ~(uintptr_t)3);
    volatile uint32_t *end = (volatile uint32_t *)top;
    while (p < end)
        *p++ = PLATFORM_STACK_PATTERN;
}

__attribute__((noinline)) unsigned long platform_stack_used(uintptr_t sp_at_call,
                                                            unsigned long depth)
{
    if (depth <= PLATFORM_STACK_PAINT_GAP)
        return 0;
    /* Scan upward from the deepest painted word; the first word that is no
       longer the pattern is the deepest one the callee wrote. Stop at the
       gap: that part was never painted. */
    const volatile uint32_t *p =
        (const volatile uint32_t *)((sp_at_call - depth + 3) & ~(uintptr_t)3);
    const volatile uint32_t *end =
        (const volatile uint32_t *)((sp_at_call - PLATFORM_STACK_PAINT_GAP) & ~(uintptr_t)3);
    while (p < end && *p == PLATFORM_STACK_PATTERN)
        p++;
    if (p >= end)
        return 0;
    return (unsigned long)(sp_at_call - (uintptr_t)p);
}
