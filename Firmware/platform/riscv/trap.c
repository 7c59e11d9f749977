/*
 * RISC-V (rv32, machine mode, QEMU virt + picolibc) trap handler.
 *
 * picolibc's semihost crt0 installs its own `_trap`, which dumps registers
 * with printf (through SYS_WRITEC, i.e. the semihosting console) and exits
 * with status 1. We replace it: mtvec is set to platform_trap_entry by a
 * constructor (priority 101, so before any other constructor and main) and
 * again by platform_init(). Any exception (illegal instruction / `unimp`
 * from __builtin_trap, plain `ebreak`, access faults, misalignment, ecall)
 * prints one line to stderr and exits QEMU with status 134.
 *
 * Stack guard: the same code also sets PMP entry 0 to a locked, no-access
 * 1 KiB NAPOT region just below the stack (picolibc.ld's __heap_end ==
 * __stack - __stack_size), so an overflow is a store access fault (exit
 * 134, "stack overflow") instead of silent corruption. Locked entries bind
 * machine mode too and stay until reset. Skipped if __stack_size is not a
 * multiple of 1 KiB. Link with -Wl,--defsym=__stack_size=0x10000 (picolibc's
 * default is only 2 KiB).
 */
#include <stdint.h>

#include "../platform.h"

void platform_riscv_trap(uint32_t mcause, uint32_t mepc, uint32_t mtval)
    __attribute__((noreturn, used));
void platform_target_init(void);

/* Fresh sp (top of stack) and gp without relaxation, then C. mtvec direct
   mode needs 4-byte alignment. `.option arch, +zicsr` because GCC 12 with
   plain -march=rv32imac (ISA spec 20191213) does not accept csr* opcodes. */
__asm__(
    "    .pushsection .text.platform_trap_entry,\"ax\",@progbits\n"
    "    .balign 4\n"
    "    .globl platform_trap_entry\n"
    "    .type platform_trap_entry, @function\n"
    "platform_trap_entry:\n"
    "    .option push\n"
    "    .option norelax\n"
    "    la   sp, __stack\n"
    "    la   gp, __global_pointer$\n"
    "    .option arch, +zicsr\n"
    "    csrr a0, mcause\n"
    "    csrr a1, mepc\n"
    "    csrr a2, mtval\n"
    "    .option pop\n"
    "    j    platform_riscv_trap\n"
    "    .size platform_trap_entry, . - platform_trap_entry\n"
    "    .popsection\n");

extern char platform_trap_entry[];
extern char __heap_end[]; /* picolibc.ld: bottom of the stack region */

#define GUARD_SIZE 1024u

static char *put_str(char *p, const char *s)
{
    while (*s)
        *p++ = *s++;
    return p;
}

static const char *cause_name(uint32_t mcause)
{
    if (mcause & 0x80000000u)
        return "interrupt";
    switch (mcause) {
    case 0: return "instruction address misaligned";
    case 1: return "instruction access fault";
    case 2: return "illegal instruction";
    case 3: return "breakpoint";
    case 4: return "load address misaligned";
    case 5: return "load access fault";
    case 6: return "store address misaligned";
    case 7: return "store access fault";
    case 8: case 9: case 11: return "ecall";
    default: return "exception";
    }
}

void platform_riscv_trap(uint32_t mcause, uint32_t mepc, uint32_t mtval)
{
    char line[160];
    char *p = line;
    p = put_str(p, "platform: trap: ");
    p = put_str(p, cause_name(mcause));
    p = put_str(p, " mcause=");
    p = platform_fmt_hex32(p, mcause);
    p = put_str(p, " mepc=");
    p = platform_fmt_hex32(p, mepc);
    p = put_str(p, " mtval=");
    p = platform_fmt_hex32(p, mtval);
    uintptr_t guard = (uintptr_t)__heap_end - GUARD_SIZE;
    if ((mcause == 5 || mcause == 7) && mtval - guard < GUARD_SIZE)
        p = put_str(p, " (stack overflow)");
    *p = '\0';
    platform_panic(line);
}

static void install_trap_vector(void)
{
    __asm__ volatile(".option push\n\t.option arch, +zicsr\n\t"
                     "csrw mtvec, %0\n\t.option pop"
                     : : "r"((uintptr_t)platform_trap_entry) : "memory");

    uintptr_t cfg;
    __asm__ volatile(".option push\n\t.option arch, +zicsr\n\t"
                     "csrr %0, pmpcfg0\n\t.option pop" : "=r"(cfg));
    if (cfg & 0x80u)
        return; /* already locked by the constructor */
    uintptr_t guard = (uintptr_t)__heap_end - GUARD_SIZE;
    if ((guard & (GUARD_SIZE - 1)) == 0) {
        uintptr_t napot = (guard | (GUARD_SIZE / 2 - 1)) >> 2;
        /* pmpcfg0 byte 0: L (0x80) | A=NAPOT (0x18), R=W=X=0. */
        __asm__ volatile(".option push\n\t.option arch, +zicsr\n\t"
                         "csrw pmpaddr0, %0\n\tcsrw pmpcfg0, %1\n\t.option pop"
                         : : "r"(napot), "r"((uintptr_t)0x98) : "memory");
    }
}

__attribute__((constructor(101))) static void platform_trap_ctor(void)
{
    install_trap_vector();
}

void platform_target_init(void)
{
    install_trap_vector();
}
