/*
 * probe.c: pumpwire.h as a C caller sees it, for the contract tests that cannot run inside the
 * test process (Tests/PumpWireTests/CAPIContractTests.swift spawns this program).
 *
 *   CAPIProbe readonly      Reads lines from stdin: "frame HEX" (a valid frame; fragment frames go
 *                           to a reassembler in order) and "log HEX" (a log image). Every `const`
 *                           argument of every call lies in a read-only page followed by an
 *                           inaccessible one, as constants in a pump's flash would: a write
 *                           through a `const` pointer, or a read past the object, faults. Before
 *                           each call it prints "call FUNCTION DETAIL" on stderr, so a fault names
 *                           its call; it exits 0 after "done", 2 if a call answers wrongly. The
 *                           "done" line also counts heap allocations made inside the calls.
 *   CAPIProbe allocations   Counts heap allocations (malloc and its relatives, interposed) during
 *                           the process's first pw_crc16 and pw_crc32 calls: the header promises no
 *                           heap. Prints "allocations N" and exits 0 when N is 0, 1 otherwise.
 *
 * Linux and glibc only (mmap/mprotect, __libc_malloc); elsewhere it says so and exits 77.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pumpwire.h"

#if defined(__linux__) && defined(__GLIBC__)
#include <sys/mman.h>
#include <unistd.h>
#define PROBE_SUPPORTED 1
#else
#define PROBE_SUPPORTED 0
#endif

static volatile bool counting = false;
static volatile unsigned long allocations = 0;

static void note(const char *format, ...)
{
    counting = false; /* stdio allocates; only the calls into pumpwire.h are counted */
    va_list arguments;
    va_start(arguments, format);
    vfprintf(stderr, format, arguments);
    va_end(arguments);
    fputc('\n', stderr);
    fflush(stderr);
}

static int failures = 0;

static void fail(const char *format, ...)
{
    counting = false;
    va_list arguments;
    va_start(arguments, format);
    fputs("FAIL ", stderr);
    vfprintf(stderr, format, arguments);
    va_end(arguments);
    fputc('\n', stderr);
    fflush(stderr);
    failures++;
}

#if PROBE_SUPPORTED

/* ---- Heap allocations, counted while `counting` is set --------------------------------------- */

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void __libc_free(void *pointer);

void *malloc(size_t size)
{
    if (counting) allocations++;
    return __libc_malloc(size);
}

void *calloc(size_t count, size_t size)
{
    if (counting) allocations++;
    return __libc_calloc(count, size);
}

void *realloc(void *pointer, size_t size)
{
    if (counting) allocations++;
    return __libc_realloc(pointer, size);
}

void *memalign(size_t alignment, size_t size)
{
    if (counting) allocations++;
    return __libc_memalign(alignment, size);
}

void *aligned_alloc(size_t alignment, size_t size)
{
    if (counting) allocations++;
    return __libc_memalign(alignment, size);
}

int posix_memalign(void **result, size_t alignment, size_t size)
{
    if (counting) allocations++;
    void *pointer = __libc_memalign(alignment, size);
    if (pointer == NULL) return 12; /* ENOMEM */
    *result = pointer;
    return 0;
}

void free(void *pointer) { __libc_free(pointer); }

static int count_allocations(void)
{
    static uint8_t bytes[4096];
    for (size_t i = 0; i < sizeof bytes; i++) bytes[i] = (uint8_t)(i * 131u + 7u);
    counting = true;
    /* The first calls of the process: lazily built tables would be allocated here. */
    uint16_t crc16 = pw_crc16(bytes, sizeof bytes);
    uint32_t crc32 = pw_crc32(bytes, sizeof bytes);
    uint16_t crc16_more = pw_crc16_update(crc16, bytes, 1000);
    uint32_t crc32_more = pw_crc32_update(crc32, bytes, 1000);
    counting = false;
    printf("allocations %lu (crc16 %04x %04x, crc32 %08x %08x)\n", allocations, crc16, crc16_more, crc32,
           crc32_more);
    return allocations == 0 ? 0 : 1;
}

/* ---- Read-only copies ------------------------------------------------------------------------ */

/* A copy of `size` bytes at the very end of read-only pages, followed by an inaccessible page.
   Leaked on purpose: the probe is short-lived. */
static const void *read_only(const void *source, size_t size)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t pages = (size + page - 1) / page;
    if (pages == 0) pages = 1;
    uint8_t *base = mmap(NULL, (pages + 1) * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) {
        perror("mmap");
        exit(3);
    }
    uint8_t *object = base + pages * page - size;
    memcpy(object, source, size);
    if (mprotect(base, pages * page, PROT_READ) != 0 || mprotect(base + pages * page, page, PROT_NONE) != 0) {
        perror("mprotect");
        exit(3);
    }
    return object;
}

#define READ_ONLY(type, value) ((const type *)read_only(&(value), sizeof(type)))

/* ---- The calls ------------------------------------------------------------------------------- */

static unsigned long calls = 0;

/* Logs the call, then counts heap allocations until the probe's own code runs again. */
#define CALL(function, ...)                                                                      \
    (note("call " #function " " __VA_ARGS__), calls++, counting = true, function)

static void check_code(const char *what, uint16_t code, uint32_t offset)
{
    counting = false;
    if (code != PW_OK) fail("%s: %s at %u", what, pw_error_name(code), offset);
}

static pw_reassembler reassembler;
static bool have_prescription = false, have_refill = false;
static pw_prescription_block prescription;
static pw_refill_confirmation refill;

/* Every encoder and the digest of a message read from a read-only copy; `payload` is its canonical
   payload when known (a frame's), else NULL. */
static void message_calls(const pw_message *message_rw, uint16_t sequence)
{
    const pw_message *message = READ_ONLY(pw_message, *message_rw);
    unsigned type = message->type;
    uint32_t offset = 0;
    static uint8_t payload[PW_MAX_MESSAGE_PAYLOAD];
    size_t payload_length = 0;
    check_code("pw_message_encode",
               CALL(pw_message_encode, "type=0x%02x", type)(message, payload, sizeof payload, &payload_length, &offset),
               offset);

    uint32_t digest = 0;
    check_code("pw_message_digest", CALL(pw_message_digest, "type=0x%02x", type)(message, &digest, &offset), offset);
    uint32_t expected = pw_crc32(payload, payload_length);
    if (digest != expected) fail("pw_message_digest 0x%08x, CRC-32 of the payload 0x%08x", digest, expected);

    const uint8_t *payload_ro = read_only(payload, payload_length);
    static pw_message decoded;
    check_code("pw_message_decode",
               CALL(pw_message_decode, "type=0x%02x", type)((uint8_t)type, payload_ro, payload_length, &decoded, &offset),
               offset);

    static uint8_t frames[PW_MAX_ENCODED_MESSAGE_SIZE];
    size_t written = 0;
    check_code("pw_message_encode_frames",
               CALL(pw_message_encode_frames, "type=0x%02x", type)(message, sequence, NULL, frames, sizeof frames,
                                                                   &written, &offset),
               offset);
    if (payload_length <= PW_MAX_FRAME_PAYLOAD) {
        pw_authentication_block block = {.freshness_counter = 7};
        for (int i = 0; i < PW_AUTHENTICATION_TAG_SIZE; i++) block.tag[i] = (uint8_t)(0xA0 + i);
        const pw_authentication_block *authentication = READ_ONLY(pw_authentication_block, block);
        check_code("pw_message_encode_frames (authenticated)",
                   CALL(pw_message_encode_frames, "type=0x%02x authenticated", type)(
                       message, sequence, authentication, frames, sizeof frames, &written, &offset),
                   offset);
        static pw_frame frame;
        check_code("pw_frame_decode (authenticated)", pw_frame_decode(frames, written, &frame, &offset), offset);
        if (!(frame.flags & PW_FRAME_AUTHENTICATED) || frame.authentication.freshness_counter != 7)
            fail("the authentication block did not come back");
    }

    if (type == PW_TYPE_PRESCRIPTION_BLOCK) {
        const pw_prescription_block *block = READ_ONLY(pw_prescription_block, message->body.prescription_block);
        uint64_t volume = 0, dose = 0;
        check_code("pw_daily_basal",
                   CALL(pw_daily_basal, "steps=%u", block->step_count)(block, &volume, &dose, &offset), offset);
        prescription = message->body.prescription_block;
        have_prescription = true;
    }
    if (type == PW_TYPE_REFILL_CONFIRMATION) {
        refill = message->body.refill_confirmation;
        have_refill = true;
    }
}

static void frame_calls(const uint8_t *bytes_rw, size_t length)
{
    const uint8_t *bytes = read_only(bytes_rw, length);
    uint32_t offset = 0;
    static pw_frame frame_rw;
    check_code("pw_frame_decode", CALL(pw_frame_decode, "length=%zu", length)(bytes, length, &frame_rw, &offset), offset);

    uint16_t crc16 = CALL(pw_crc16, "length=%zu", length)(bytes, length);
    uint16_t crc16_update = CALL(pw_crc16_update, "length=%zu", length)(PW_CRC16_INITIAL, bytes, length);
    uint32_t crc32 = CALL(pw_crc32, "length=%zu", length)(bytes, length);
    uint32_t crc32_update = CALL(pw_crc32_update, "length=%zu", length)(0, bytes, length);
    if (crc16 != crc16_update || crc32 != crc32_update) fail("a CRC continued from its start differs");

    pw_scanner scanner;
    pw_scan_event event;
    check_code("pw_scanner_init", CALL(pw_scanner_init, "length=%zu", length)(&scanner, bytes, length), 0);
    if (!pw_scanner_next(&scanner, &event) || event.kind != PW_SCAN_FRAME || event.length != length)
        fail("pw_scanner_next did not find the frame");
    pw_scanner_resynchronize(&scanner, 0);

    const pw_frame *frame = READ_ONLY(pw_frame, frame_rw);
    static uint8_t out[PW_MAX_FRAME_SIZE];
    size_t written = 0;
    check_code("pw_frame_encode",
               CALL(pw_frame_encode, "type=0x%02x flags=0x%02x", pw_frame_message_type(frame), frame->flags)(
                   frame, out, sizeof out, &written, &offset),
               offset);
    if (written != length || memcmp(out, bytes, length) != 0) fail("pw_frame_encode did not give the frame back");

    if (frame->flags & PW_FRAME_FRAGMENT) {
        uint8_t progress = 0xFF;
        check_code("pw_reassembler_add",
                   CALL(pw_reassembler_add, "index=%u", frame->fragment.index)(&reassembler, frame, &progress, &offset),
                   offset);
        const pw_reassembler *state = READ_ONLY(pw_reassembler, reassembler);
        bool in_progress = CALL(pw_reassembler_in_progress, "")(state);
        if (in_progress != (progress == PW_REASSEMBLY_ACCEPTED)) fail("pw_reassembler_in_progress disagrees");
        if (progress == PW_REASSEMBLY_COMPLETE) {
            static pw_message message;
            check_code("pw_reassembler_take_message", pw_reassembler_take_message(&reassembler, &message, &offset),
                       offset);
            message_calls(&message, frame->sequence);
        }
    } else {
        message_calls(&frame->message, frame->sequence);
    }
}

static void log_calls(const uint8_t *image_rw, size_t length)
{
    const uint8_t *image = read_only(image_rw, length);
    uint32_t offset = 0;
    pw_log_reader reader;
    check_code("pw_log_reader_init",
               CALL(pw_log_reader_init, "length=%zu", length)(&reader, image, length, 0, 0, &offset), offset);
    pw_log_item item;
    while (pw_log_reader_next(&reader, &item)) {
        if (item.kind != PW_LOG_RECORD) continue;
        const pw_log_record *record = READ_ONLY(pw_log_record, item.record);
        uint8_t out[PW_LOG_RECORD_SIZE];
        bool alarm = record->record_type == PW_RECORD_ALARM_RAISED || record->record_type == PW_RECORD_ALARM_CLEARED;
        check_code("pw_log_record_encode",
                   CALL(pw_log_record_encode, "record_type=0x%02x alarm=%u", record->record_type,
                        alarm ? record->body.alarm_raised.alarm : 0u)(record, out, &offset),
                   offset);
        if (memcmp(out, image + item.offset, PW_LOG_RECORD_SIZE) != 0)
            fail("pw_log_record_encode did not give the record at %u back", item.offset);
    }
}

static size_t parse_hex(const char *text, uint8_t *out, size_t capacity)
{
    size_t count = 0;
    int high = -1;
    for (; *text != '\0' && *text != '\n'; text++) {
        int digit;
        if (*text >= '0' && *text <= '9') digit = *text - '0';
        else if (*text >= 'a' && *text <= 'f') digit = *text - 'a' + 10;
        else if (*text >= 'A' && *text <= 'F') digit = *text - 'A' + 10;
        else continue;
        if (high < 0) {
            high = digit;
        } else {
            if (count == capacity) {
                fail("input line too long");
                exit(2);
            }
            out[count++] = (uint8_t)(high << 4 | digit);
            high = -1;
        }
    }
    return count;
}

static int read_only_calls(void)
{
    check_code("pw_reassembler_init", pw_reassembler_init(&reassembler), 0);
    static char line[1 << 20];
    static uint8_t bytes[1 << 19];
    while (fgets(line, sizeof line, stdin) != NULL) {
        if (strncmp(line, "frame ", 6) == 0) {
            frame_calls(bytes, parse_hex(line + 6, bytes, sizeof bytes));
        } else if (strncmp(line, "log ", 4) == 0) {
            log_calls(bytes, parse_hex(line + 4, bytes, sizeof bytes));
        } else if (line[0] != '\n') {
            fail("unknown input line: %.20s", line);
        }
    }
    if (have_prescription && have_refill) {
        const pw_prescription_block *block = READ_ONLY(pw_prescription_block, prescription);
        const pw_refill_confirmation *confirmation = READ_ONLY(pw_refill_confirmation, refill);
        uint32_t alarm_time = 0, offset = 0;
        check_code("pw_low_reservoir_alarm_time",
                   CALL(pw_low_reservoir_alarm_time, "")(block, confirmation, &alarm_time, &offset), offset);
    }
    note("done %lu calls, %d failed, %lu heap allocations during them", calls, failures, allocations);
    return failures == 0 ? 0 : 2;
}

#endif /* PROBE_SUPPORTED */

int main(int argc, char **argv)
{
    if (!PROBE_SUPPORTED) {
        note("CAPIProbe needs Linux and glibc");
        return 77;
    }
#if PROBE_SUPPORTED
    if (argc == 2 && strcmp(argv[1], "allocations") == 0) return count_allocations();
    if (argc == 2 && strcmp(argv[1], "readonly") == 0) return read_only_calls();
#endif
    note("usage: CAPIProbe readonly|allocations");
    return 64;
}
