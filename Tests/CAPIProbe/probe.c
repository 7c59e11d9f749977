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

/* ---- The secure session ---------------------------------------------------------------------- */

/* A stand-in provider: not cryptography, only consistent (both sides of a handshake agree, a seal
   opens), so that every secure-session entry point runs with its const arguments read-only. The
   core's known answers are SecureSessionCAPITests' (SwiftCryptoProvider) and the firmware's. */
static void fake_digest(uint8_t out[32], const uint8_t *a, size_t a_length, const uint8_t *b, size_t b_length)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < a_length; i++) h = (h ^ a[i]) * 0x100000001b3u;
    for (size_t i = 0; i < b_length; i++) h = (h ^ b[i]) * 0x100000001b3u;
    for (int i = 0; i < 32; i++) {
        h = (h ^ (uint64_t)i) * 0x100000001b3u;
        out[i] = (uint8_t)(h >> 56);
    }
}
static int fake_x25519(void *context, uint8_t out[32], const uint8_t scalar[32], const uint8_t point[32])
{
    (void)context;
    for (int i = 0; i < 32; i++) out[i] = scalar[i] ^ point[i];
    return 0;
}
static int fake_x25519_base(void *context, uint8_t out[32], const uint8_t scalar[32])
{
    (void)context;
    for (int i = 0; i < 32; i++) out[i] = (uint8_t)(scalar[i] ^ 0x5a);
    return 0;
}
static void fake_tag(uint8_t tag[16], const uint8_t key[32], const uint8_t nonce[12], const uint8_t *ad, size_t ad_length,
                     const uint8_t *ciphertext, size_t length)
{
    uint8_t first[32], digest[32];
    fake_digest(first, key, 32, nonce, 12);
    fake_digest(digest, first, 32, ad, ad_length);
    fake_digest(first, digest, 32, ciphertext, length);
    memcpy(tag, first, 16);
}
static int fake_seal(void *context, uint8_t *ciphertext, uint8_t tag[16], const uint8_t key[32], const uint8_t nonce[12],
                     const uint8_t *ad, size_t ad_length, const uint8_t *plaintext, size_t length)
{
    (void)context;
    for (size_t i = 0; i < length; i++) ciphertext[i] = plaintext[i] ^ key[i % 32] ^ nonce[4];
    fake_tag(tag, key, nonce, ad, ad_length, ciphertext, length);
    return 0;
}
static int fake_open(void *context, uint8_t *plaintext, const uint8_t key[32], const uint8_t nonce[12], const uint8_t *ad,
                     size_t ad_length, const uint8_t *ciphertext, size_t length, const uint8_t tag[16])
{
    (void)context;
    uint8_t expected[16];
    fake_tag(expected, key, nonce, ad, ad_length, ciphertext, length);
    if (memcmp(expected, tag, 16) != 0) return 1;
    for (size_t i = 0; i < length; i++) plaintext[i] = ciphertext[i] ^ key[i % 32] ^ nonce[4];
    return 0;
}
static void fake_sha256(void *context, uint8_t out[32], const uint8_t *first, size_t first_length, const uint8_t *second,
                        size_t second_length)
{
    (void)context;
    fake_digest(out, first, first_length, second, second_length);
}
static void fake_hmac(void *context, uint8_t out[32], const uint8_t *key, size_t key_length, const uint8_t *data,
                      size_t data_length)
{
    (void)context;
    fake_digest(out, key, key_length, data, data_length);
}
static int fake_hkdf(void *context, uint8_t *out, size_t out_length, const uint8_t *salt, size_t salt_length,
                     const uint8_t *ikm, size_t ikm_length, const uint8_t *info, size_t info_length)
{
    (void)context;
    (void)info;
    (void)info_length;
    uint8_t block[32];
    fake_digest(block, salt, salt_length, ikm, ikm_length);
    for (size_t i = 0; i < out_length; i++) {
        if (i % 32 == 0 && i > 0) fake_digest(block, block, 32, NULL, 0);
        out[i] = block[i % 32];
    }
    return 0;
}
static int fake_random(void *context, uint8_t *out, size_t length)
{
    (void)context;
    for (size_t i = 0; i < length; i++) out[i] = (uint8_t)(i * 7u + 3u);
    return 0;
}

static void secure_calls(void)
{
    pw_crypto_provider table_rw = {NULL, fake_x25519, fake_x25519_base, fake_seal, fake_open,
                                   fake_sha256, fake_hmac, fake_hkdf, fake_random};
    const pw_crypto_provider *table = READ_ONLY(pw_crypto_provider, table_rw);
    uint8_t keys_rw[4][32];
    for (int k = 0; k < 4; k++)
        for (int i = 0; i < 32; i++) keys_rw[k][i] = (uint8_t)(k * 40 + i);
    const uint8_t *initiator_static = read_only(keys_rw[0], 32), *responder_static = read_only(keys_rw[1], 32);
    const uint8_t *psk = read_only(keys_rw[2], 32), *ephemeral = read_only(keys_rw[3], 32);
    uint8_t public_rw[2][32];
    fake_x25519_base(NULL, public_rw[0], keys_rw[0]);
    fake_x25519_base(NULL, public_rw[1], keys_rw[1]);
    const uint8_t *initiator_public = read_only(public_rw[0], 32), *responder_public = read_only(public_rw[1], 32);
    uint8_t prologue_rw[PW_HANDSHAKE_PROLOGUE_SIZE];
    static const uint8_t info_rw[PW_SESSION_INFO_SIZE] = {1, 2, 7, 0, 0, 0};
    const uint8_t *info = read_only(info_rw, sizeof info_rw);
    for (uint8_t pattern = PW_HANDSHAKE_PAIRING; pattern <= PW_HANDSHAKE_SESSION; pattern++) {
        pw_handshake_prologue(pattern, 1, prologue_rw);
        const uint8_t *prologue = read_only(prologue_rw, sizeof prologue_rw);
        static pw_handshake sides[2];
        uint32_t offset = 0;
        check_code("pw_handshake_init",
                   CALL(pw_handshake_init, "pattern=%u initiator", pattern)(
                       &sides[0], table, pattern, PW_ROLE_INITIATOR, prologue, sizeof prologue_rw, initiator_static,
                       responder_public, psk, ephemeral, &offset),
                   offset);
        check_code("pw_handshake_init",
                   CALL(pw_handshake_init, "pattern=%u responder", pattern)(
                       &sides[1], table, pattern, PW_ROLE_RESPONDER, prologue, sizeof prologue_rw, responder_static,
                       initiator_public, psk, NULL, &offset),
                   offset);
        for (int index = 0; index < (pattern == PW_HANDSHAKE_PAIRING ? 3 : 2); index++) {
            pw_handshake *writer = &sides[index % 2], *reader = &sides[1 - index % 2];
            const pw_handshake *writer_ro = READ_ONLY(pw_handshake, *writer);
            if (!CALL(pw_handshake_is_write_turn, "")(writer_ro)) fail("pw_handshake_is_write_turn: not the writer's turn");
            uint8_t message_rw[PW_HANDSHAKE_MAX_MESSAGE];
            size_t length = 0, payload_length = 0;
            const uint8_t *payload = index == 1 ? info : NULL;
            check_code("pw_handshake_write_message",
                       CALL(pw_handshake_write_message, "message=%d", index + 1)(
                           writer, payload, index == 1 ? PW_SESSION_INFO_SIZE : 0, message_rw, sizeof message_rw, &length,
                           &offset),
                       offset);
            const uint8_t *message = read_only(message_rw, length);
            uint8_t received[PW_HANDSHAKE_MAX_MESSAGE];
            check_code("pw_handshake_read_message",
                       CALL(pw_handshake_read_message, "message=%d", index + 1)(reader, message, length, received,
                                                                                sizeof received, &payload_length, &offset),
                       offset);
        }
        static pw_sealed_channel channels[2];
        uint8_t hashes[2][32];
        for (int side = 0; side < 2; side++) {
            const pw_handshake *done = READ_ONLY(pw_handshake, sides[side]);
            if (!CALL(pw_handshake_is_complete, "")(done)) fail("pw_handshake_is_complete: not complete");
            check_code("pw_handshake_split", pw_handshake_split(&sides[side], 2, &channels[side], hashes[side], &offset), offset);
            pw_handshake_erase(&sides[side]);
        }
        if (memcmp(hashes[0], hashes[1], 32) != 0) fail("the handshake hashes differ");
        /* A sealed interrogationRequest, initiator to pump. */
        uint8_t cleartext_rw[PW_MAX_FRAME_SIZE] = {0xA5, 0xC3, 0x01, 0x01, PW_FRAME_AUTHENTICATED, 0x05, 0x00, 0x00, 0x00};
        size_t cleartext_length = 9 + PW_AUTHENTICATION_BLOCK_SIZE + 2;
        uint16_t crc = pw_crc16(cleartext_rw, cleartext_length - 2);
        cleartext_rw[cleartext_length - 2] = (uint8_t)crc;
        cleartext_rw[cleartext_length - 1] = (uint8_t)(crc >> 8);
        const uint8_t *cleartext = read_only(cleartext_rw, cleartext_length);
        uint8_t sealed_rw[PW_MAX_FRAME_SIZE];
        size_t length = 0;
        check_code("pw_sealed_seal_frame_into",
                   CALL(pw_sealed_seal_frame_into, "pattern=%u", pattern)(&channels[0], cleartext, cleartext_length, sealed_rw,
                                                                          sizeof sealed_rw, &length, &offset),
                   offset);
        uint8_t in_place[PW_MAX_FRAME_SIZE];
        memcpy(in_place, cleartext_rw, cleartext_length);
        check_code("pw_sealed_seal_frame", pw_sealed_seal_frame(&channels[0], in_place, cleartext_length, &length, &offset),
                   offset);
        const uint8_t *sealed = read_only(sealed_rw, length);
        uint8_t opened[PW_MAX_FRAME_SIZE];
        check_code("pw_sealed_open_frame",
                   CALL(pw_sealed_open_frame, "pattern=%u", pattern)(&channels[1], sealed, length, opened, sizeof opened,
                                                                     &length, &offset),
                   offset);
        if (memcmp(opened, cleartext_rw, 9) != 0) fail("the opened frame's header differs");
        const pw_sealed_channel *sender = READ_ONLY(pw_sealed_channel, channels[0]);
        const pw_sealed_channel *receiver = READ_ONLY(pw_sealed_channel, channels[1]);
        uint32_t highest = 0xFFFFFFFFu;
        if (CALL(pw_sealed_channel_next_frame_counter, "")(sender) != 2) fail("pw_sealed_channel_next_frame_counter");
        if (!CALL(pw_sealed_channel_highest_accepted, "")(receiver, &highest) || highest != 0)
            fail("pw_sealed_channel_highest_accepted");
        if (CALL(pw_sealed_channel_epoch, "")(receiver) != 2) fail("pw_sealed_channel_epoch");
        pw_sealed_channel fresh;
        check_code("pw_sealed_channel_init",
                   CALL(pw_sealed_channel_init, "")(&fresh, table, psk, ephemeral, 3, 0, false, 0), 0);
        pw_sealed_channel_erase(&fresh);
        pw_sealed_channel_erase(&channels[0]);
        pw_sealed_channel_erase(&channels[1]);
    }
}

/* pw_pump_receive's send: counts the frames, keeps the last one's length. */
struct sent {
    unsigned frames;
    size_t last_length;
};

static void count_sent(void *context, const uint8_t *frame, size_t length)
{
    (void)frame;
    struct sent *sent = context;
    sent->frames++;
    sent->last_length = length;
}

/* The secure pump (pw_secure_pump): set up from read-only keys, slots and limits, then a session
   handshakeRequest from slot 1, itself in read-only memory, with a read-only ephemeral key; then
   the same through the pump engine (pw_pump), and a plain pump engine. */
static void pump_calls(void)
{
    pw_crypto_provider table_rw = {NULL, fake_x25519, fake_x25519_base, fake_seal, fake_open,
                                   fake_sha256, fake_hmac, fake_hkdf, fake_random};
    const pw_crypto_provider *table = READ_ONLY(pw_crypto_provider, table_rw);
    uint8_t keys_rw[3][32];
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < 32; i++) keys_rw[k][i] = (uint8_t)(k * 50 + i + 1);
    const uint8_t *pump_static = read_only(keys_rw[0], 32), *secret = read_only(keys_rw[1], 32);
    const uint8_t *device_static = read_only(keys_rw[2], 32);
    pw_pump_slot slots_rw[4];
    memset(slots_rw, 0, sizeof slots_rw);
    slots_rw[1].role = 1;
    fake_x25519_base(NULL, slots_rw[1].static_public, keys_rw[2]);
    slots_rw[1].last_command_id = 7;
    const pw_pump_slot *slots = read_only(slots_rw, sizeof slots_rw);
    const pw_patient_bolus_limits limits_rw = {25000, 180, 4};
    const pw_patient_bolus_limits *limits = READ_ONLY(pw_patient_bolus_limits, limits_rw);
    static pw_secure_pump pump;
    uint32_t offset = 0;
    check_code("pw_secure_pump_init",
               CALL(pw_secure_pump_init, "")(&pump, table, pump_static, secret, false, 1, limits, slots, &offset), offset);
    uint8_t pump_public[32], prologue[PW_HANDSHAKE_PROLOGUE_SIZE];
    fake_x25519_base(NULL, pump_public, keys_rw[0]);
    pw_handshake_prologue(PW_HANDSHAKE_SESSION, 1, prologue);
    static pw_handshake device;
    check_code("pw_handshake_init",
               pw_handshake_init(&device, table, PW_HANDSHAKE_SESSION, PW_ROLE_INITIATOR, prologue, sizeof prologue,
                                 device_static, pump_public, NULL, NULL, &offset), offset);
    uint8_t frame_rw[9 + 50 + 2] = {0xA5, 0xC3, 0x01, 0x10, 0x00, 0x01, 0x00, 50, 0x00, PW_HANDSHAKE_SESSION, 1};
    size_t length = 0;
    check_code("pw_handshake_write_message",
               pw_handshake_write_message(&device, NULL, 0, frame_rw + 11, 48, &length, &offset), offset);
    uint16_t crc = pw_crc16(frame_rw, sizeof frame_rw - 2);
    frame_rw[sizeof frame_rw - 2] = (uint8_t)crc;
    frame_rw[sizeof frame_rw - 1] = (uint8_t)(crc >> 8);
    const uint8_t *frame = read_only(frame_rw, sizeof frame_rw);
    const uint8_t *ephemeral = read_only(keys_rw[1], 32);
    uint8_t answer[PW_SECURE_PUMP_ANSWER_CAPACITY], work[PW_SECURE_PUMP_WORK_CAPACITY];
    pw_pump_step step;
    check_code("pw_secure_pump_receive",
               CALL(pw_secure_pump_receive, "handshakeRequest")(&pump, frame, sizeof frame_rw, 847591200u, ephemeral, answer,
                                                                sizeof answer, work, sizeof work, &step, &offset),
               offset);
    if (step.answer_length != 9 + 54 + 2 || step.record_count != 1) fail("pw_secure_pump_receive: no handshakeResponse");
    /* Power loss: the kept state read from a read-only pump, and a pump restored from it, read-only too. */
    const pw_secure_pump *pump_ro = READ_ONLY(pw_secure_pump, pump);
    pw_pump_persistent_state kept_rw;
    check_code("pw_secure_pump_persistent_state", CALL(pw_secure_pump_persistent_state, "")(pump_ro, &kept_rw, &offset), offset);
    if (kept_rw.session_count != 2 || kept_rw.slots[1].last_command_id != 7) fail("pw_secure_pump_persistent_state: wrong state");
    const pw_pump_persistent_state *kept = READ_ONLY(pw_pump_persistent_state, kept_rw);
    static pw_secure_pump restarted;
    check_code("pw_secure_pump_restore",
               CALL(pw_secure_pump_restore, "")(&restarted, table, pump_static, secret, false, kept, limits, &offset), offset);
    pw_secure_pump_erase(&restarted);
    pw_secure_pump_erase(&pump);

    /* The pump engine behind the security layer (pw_pump): the same read-only table, keys and slots,
       the same read-only handshakeRequest and ephemeral key. */
    static pw_pump engine;
    check_code("pw_pump_reset_secure",
               CALL(pw_pump_reset_secure, "")(&engine, 847591200u, 3100, table, pump_static, secret, false, 1, slots, &offset),
               offset);
    struct sent sent = {0, 0};
    check_code("pw_pump_receive",
               CALL(pw_pump_receive, "secure handshakeRequest")(&engine, frame, sizeof frame_rw, ephemeral, count_sent, &sent,
                                                                &offset),
               offset);
    if (sent.frames != 1 || sent.last_length != 9 + 54 + 2) fail("pw_pump_receive: no handshakeResponse");
    pw_handshake_erase(&device);

    /* A plain pump: a read-only interrogationRequest, a day, then its state and memory read from a
       read-only pump. */
    check_code("pw_pump_reset", CALL(pw_pump_reset, "")(&engine, 847591200u, 3100, &offset), offset);
    uint8_t request_rw[9 + 2] = {0xA5, 0xC3, 0x01, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00};
    crc = pw_crc16(request_rw, 9);
    request_rw[9] = (uint8_t)crc;
    request_rw[10] = (uint8_t)(crc >> 8);
    const uint8_t *request = read_only(request_rw, sizeof request_rw);
    sent.frames = 0;
    check_code("pw_pump_receive",
               CALL(pw_pump_receive, "interrogationRequest")(&engine, request, sizeof request_rw, ephemeral, count_sent, &sent,
                                                             &offset),
               offset);
    if (sent.frames != 1) fail("pw_pump_receive: no pumpStatus");
    check_code("pw_pump_advance", CALL(pw_pump_advance, "")(&engine, 86400, &offset), offset);
    check_code("pw_pump_set_battery", CALL(pw_pump_set_battery, "")(&engine, 2600, &offset), offset);
    check_code("pw_pump_set_clock", CALL(pw_pump_set_clock, "")(&engine, 847591200u, &offset), offset);
    check_code("pw_pump_restart", CALL(pw_pump_restart, "")(&engine, &offset), offset);
    const pw_pump *engine_ro = READ_ONLY(pw_pump, engine);
    uint8_t state[PW_PUMP_OBSERVATION_SIZE];
    check_code("pw_pump_observe", CALL(pw_pump_observe, "")(engine_ro, state, &offset), offset);
    static uint8_t memory[8960];
    check_code("pw_pump_read_memory",
               CALL(pw_pump_read_memory, "")(engine_ro, PW_REGION_RAW_ADDRESS, 0, sizeof memory, memory, sizeof memory, &offset),
               offset);
    pw_pump_erase(&engine);
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
    secure_calls();
    pump_calls();
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
