/*
 * Cortex-M4 startup for QEMU mps2-an386 (newlib + rdimon crt0).
 *
 *  - Vector table: 16 system entries + 32 external IRQs (QEMU's mps2 NVIC
 *    has 32). Entry 0 is __stack_top from mps2-an386.ld.
 *  - Reset_Handler: copies .data (rdimon crt0 only zeroes .bss), enables
 *    the MemManage/BusFault/UsageFault handlers, puts an MPU no-access guard
 *    under the stack, then jumps to newlib's `_start`.
 *  - _stack_init: overrides crt0's weak hook so the stack is __stack_top
 *    (crt0 itself takes QEMU's SYS_HEAPINFO stack, 0x22000000).
 *  - Every other exception (NMI, HardFault, MemManage, BusFault, UsageFault,
 *    SVCall, DebugMon, PendSV, SysTick, IRQs): moves sp back to __stack_top
 *    (so a stack overflow can still report), prints one line to stderr via
 *    semihosting and exits QEMU with status 134.
 */
#include <stdint.h>

#include "../platform.h"

extern uint32_t __data_start__[], __data_end__[], __data_load__[];
extern uint32_t __stack_top[], __stack_limit[], __stack_guard[];
extern void _start(void) __attribute__((noreturn));

void Reset_Handler(void) __attribute__((noreturn, used));
void _stack_init(void) __attribute__((naked, used));
void platform_arm_fault(const uint32_t *frame, uint32_t exc_return, uint32_t ipsr)
    __attribute__((noreturn, used));
static void fault_entry(void) __attribute__((naked));

#define REG32(addr) (*(volatile uint32_t *)(addr))
#define SCB_SHCSR REG32(0xE000ED24u)
#define SCB_CFSR  REG32(0xE000ED28u)
#define SCB_HFSR  REG32(0xE000ED2Cu)
#define SCB_MMFAR REG32(0xE000ED34u)
#define SCB_BFAR  REG32(0xE000ED38u)
#define MPU_CTRL  REG32(0xE000ED94u)
#define MPU_RNR   REG32(0xE000ED98u)
#define MPU_RBAR  REG32(0xE000ED9Cu)
#define MPU_RASR  REG32(0xE000EDA0u)

#define SHCSR_MEMFAULTENA (1u << 16)
#define SHCSR_BUSFAULTENA (1u << 17)
#define SHCSR_USGFAULTENA (1u << 18)

/* Guard: 1 KiB (RASR.SIZE = log2(1024) - 1 = 9), no access, execute never. */
#define GUARD_RASR ((1u << 28) | (0u << 24) | (9u << 1) | 1u)

void Reset_Handler(void)
{
    /* .data: QEMU loads the image at its load address in FLASH. */
    volatile uint32_t *src = __data_load__;
    volatile uint32_t *dst = __data_start__;
    while (dst < __data_end__)
        *dst++ = *src++;

    SCB_SHCSR |= SHCSR_MEMFAULTENA | SHCSR_BUSFAULTENA | SHCSR_USGFAULTENA;

    /* MPU region 0 = stack guard; PRIVDEFENA keeps the default map elsewhere. */
    MPU_RNR = 0;
    MPU_RBAR = (uint32_t)(uintptr_t)__stack_guard;
    MPU_RASR = GUARD_RASR;
    MPU_CTRL = (1u << 2) | 1u;
    __asm__ volatile("dsb\n\tisb" ::: "memory");

    _start();
}

/* Called by rdimon crt0 right after it set sp from SYS_HEAPINFO, before it
   pushes anything: move sp to our own stack. Clobbers r0 only. */
void _stack_init(void)
{
    __asm__ volatile(
        "movw r0, #:lower16:__stack_top\n\t"
        "movt r0, #:upper16:__stack_top\n\t"
        "mov  sp, r0\n\t"
        "bx   lr\n\t");
}

/* r0 = stacked frame (MSP or PSP per EXC_RETURN bit 2), r1 = EXC_RETURN,
   r2 = IPSR; then continue on a fresh stack. */
static void fault_entry(void)
{
    __asm__ volatile(
        "tst   lr, #4\n\t"
        "ite   eq\n\t"
        "mrseq r0, msp\n\t"
        "mrsne r0, psp\n\t"
        "mov   r1, lr\n\t"
        "mrs   r2, ipsr\n\t"
        "movw  r3, #:lower16:__stack_top\n\t"
        "movt  r3, #:upper16:__stack_top\n\t"
        "mov   sp, r3\n\t"
        "b     platform_arm_fault\n\t");
}

static char *put_str(char *p, const char *s)
{
    while (*s)
        *p++ = *s++;
    return p;
}

static const char *exception_name(uint32_t n)
{
    switch (n) {
    case 2: return "NMI";
    case 3: return "HardFault";
    case 4: return "MemManage";
    case 5: return "BusFault";
    case 6: return "UsageFault";
    case 11: return "SVCall";
    case 12: return "DebugMon";
    case 14: return "PendSV";
    case 15: return "SysTick";
    default: return n >= 16 ? "IRQ" : "exception";
    }
}

void platform_arm_fault(const uint32_t *frame, uint32_t exc_return, uint32_t ipsr)
{
    char line[160];
    char *p = line;
    uint32_t n = ipsr & 0x1ffu;
    uint32_t cfsr = SCB_CFSR;

    p = put_str(p, "platform: fault: ");
    p = put_str(p, exception_name(n));
    p = put_str(p, " exc=");
    p = platform_fmt_hex32(p, n);
    /* Only read the stacked PC if the frame lies inside the stack proper. */
    uintptr_t f = (uintptr_t)frame;
    if ((exc_return & 4u) == 0 && f >= (uintptr_t)__stack_limit &&
        f + 32u <= (uintptr_t)__stack_top) {
        p = put_str(p, " pc=");
        p = platform_fmt_hex32(p, frame[6]);
    }
    p = put_str(p, " cfsr=");
    p = platform_fmt_hex32(p, cfsr);
    p = put_str(p, " hfsr=");
    p = platform_fmt_hex32(p, SCB_HFSR);
    if (cfsr & (1u << 7)) { /* MMARVALID */
        p = put_str(p, " mmfar=");
        p = platform_fmt_hex32(p, SCB_MMFAR);
    }
    if (cfsr & (1u << 15)) { /* BFARVALID */
        p = put_str(p, " bfar=");
        p = platform_fmt_hex32(p, SCB_BFAR);
    }
    if ((cfsr & (1u << 4)) || /* MSTKERR: exception entry hit the guard */
        ((cfsr & (1u << 7)) &&
         (uintptr_t)SCB_MMFAR - (uintptr_t)__stack_guard < 0x400u))
        p = put_str(p, " (stack overflow)");
    *p = '\0';
    platform_panic(line);
}

typedef void (*vector_t)(void);

__attribute__((section(".vectors"), used))
const vector_t platform_vectors[16 + 32] = {
    [0] = (vector_t)(uintptr_t)__stack_top,
    [1] = Reset_Handler,
    [2] = fault_entry,  /* NMI */
    [3] = fault_entry,  /* HardFault */
    [4] = fault_entry,  /* MemManage */
    [5] = fault_entry,  /* BusFault */
    [6] = fault_entry,  /* UsageFault */
    [11] = fault_entry, /* SVCall */
    [12] = fault_entry, /* DebugMon */
    [14] = fault_entry, /* PendSV */
    [15] = fault_entry, /* SysTick */
    [16 ... 47] = fault_entry, /* external IRQs (none are enabled) */
};

/* Called by platform_init(); everything is already set up by Reset_Handler. */
void platform_target_init(void)
{
}
