/*
 * capi_fuzz.c: the FuzzCAPI target. Each input is a short program of calls to pumpwire.h, made
 * through its C declarations as firmware makes them, and every call is checked against the
 * promises of the header's comment:
 *
 *   - the answer is PW_OK or a code of enum pw_error_code, and *error_offset is written only on
 *     failure, at an offset inside the input (decoders) or the output (BUFFER_TOO_SMALL);
 *   - no `const` argument is written: each lies at the end of a read-only mapping followed by an
 *     inaccessible page, so a write through it, or a read past it, faults;
 *   - nothing is written past `capacity`: every output buffer is followed by guard bytes, poisoned
 *     for AddressSanitizer and checked afterwards, and the bytes between `capacity` and the end of
 *     the real buffer must be untouched;
 *   - hostile sizes (0, 1, one byte short, SIZE_MAX / 2 claimed for a real buffer, SIZE_MAX,
 *     NULL with a size) give the answer the header describes, never a trap or an endless loop;
 *   - an encoder's answer does not depend on its buffer but for BUFFER_TOO_SMALL: a value a decoder
 *     rejects is refused with the same error and offset whatever the capacity (PW-ENC-5);
 *   - the same call gives the same answer twice; what an encoder accepted decodes, and decodes to
 *     what encodes to the same bytes; what a decoder accepted encodes to exactly its input;
 *   - a state struct its init function never prepared (zeroed, garbage) is refused and left as it
 *     was; a prepared one with one word changed is refused or behaves exactly as the original;
 *   - NULL where the header allows it works, and where it forbids it is BUFFER_TOO_SMALL at 0.
 *
 * A broken promise prints what broke and aborts; libFuzzer saves the input. Linux only (memfd).
 */
#define _GNU_SOURCE
#include "CAPIFuzzDriver.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pumpwire.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/asan_interface.h>
#define POISON(address, size) ASAN_POISON_MEMORY_REGION(address, size)
#define UNPOISON(address, size) ASAN_UNPOISON_MEMORY_REGION(address, size)
#endif
#endif
#ifndef POISON
#define POISON(address, size) ((void)(address), (void)(size))
#define UNPOISON(address, size) ((void)(address), (void)(size))
#endif

#define BTS PW_ERR_BUFFER_TOO_SMALL
#define OFFSET_UNSET 0xDEADBEEFu
#define WRITTEN_UNSET ((size_t)0xFEEDFACEu)

/* ---- Reporting -------------------------------------------------------------------------------- */

static const char *operation = "start";

static void broken(int line, const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    fprintf(stderr, "FuzzCAPI: broken promise in %s (capi_fuzz.c:%d): ", operation, line);
    vfprintf(stderr, format, arguments);
    fputc('\n', stderr);
    va_end(arguments);
    abort();
}

#define CHECK(condition, ...)                                                                    \
    do {                                                                                         \
        if (!(condition)) broken(__LINE__, __VA_ARGS__);                                         \
    } while (0)

static bool is_error_code(uint16_t code)
{
    return code <= 19 || (code >= 32 && code <= 37) || (code >= 48 && code <= 61) || (code >= 64 && code <= 75) ||
           (code >= 80 && code <= 83) || (code >= 96 && code <= 104) || (code >= 128 && code <= 138);  /* 96-104, 134-138: spec/security.md 12 */
}

#define CHECK_CODE(code) CHECK(is_error_code(code), "code %u is not in enum pw_error_code", (unsigned)(code))

/* ---- The input ------------------------------------------------------------------------------- */

typedef struct {
    const uint8_t *data;
    size_t size;
} input;

static uint8_t u8(input *in)
{
    if (in->size == 0) return 0;
    in->size--;
    return *in->data++;
}

static uint16_t u16(input *in)
{
    uint16_t low = u8(in);
    uint16_t high = u8(in);
    return (uint16_t)(low | high << 8);
}

static uint32_t u32(input *in)
{
    uint32_t low = u16(in);
    uint32_t high = u16(in);
    return low | high << 16;
}

static uint64_t u64(input *in)
{
    uint64_t low = u32(in);
    uint64_t high = u32(in);
    return low | high << 32;
}

/* Up to `max` bytes of the input, their count first (two bytes). */
static size_t blob(input *in, size_t max, const uint8_t **bytes)
{
    size_t length = u16(in) % (max + 1);
    if (length > in->size) length = in->size;
    *bytes = in->data;
    in->data += length;
    in->size -= length;
    return length;
}

/* ---- Read-only arguments: memfd pages mapped twice, writable and read-only ---------------- */

#define SLOT_SIZE 16384u
#define SLOTS 4

typedef struct {
    uint8_t *writable;
    const uint8_t *read_only;
} slot;

static slot slots[SLOTS];

static void make_slot(slot *s)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    int fd = memfd_create("pumpwire-read-only", 0);
    CHECK(fd >= 0 && ftruncate(fd, SLOT_SIZE) == 0, "memfd");
    s->writable = mmap(NULL, SLOT_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    uint8_t *region = mmap(NULL, SLOT_SIZE + page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(s->writable != MAP_FAILED && region != MAP_FAILED, "mmap");
    CHECK(mmap(region, SLOT_SIZE, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0) == region, "mmap read-only");
    s->read_only = region;
    close(fd);
}

/* A read-only copy of `size` bytes that ends where its slot ends, before an inaccessible page. */
static const void *read_only(int index, const void *source, size_t size)
{
    CHECK(size <= SLOT_SIZE, "read-only copy too large");
    slot *s = &slots[index];
    if (size > 0) memmove(s->writable + SLOT_SIZE - size, source, size);
    return s->read_only + SLOT_SIZE - size;
}

/* ---- Output buffers: guard bytes after `writable` bytes ------------------------------------- */

#define OUT_REAL 1152u /* more than any encoder writes (PW_MAX_ENCODED_MESSAGE_SIZE) */
#define GUARD 64u
#define UNTOUCHED 0xEEu
#define GUARD_BYTE 0xA5u

_Static_assert(OUT_REAL >= PW_MAX_ENCODED_MESSAGE_SIZE, "OUT_REAL holds any output");
static uint8_t *out_arena; /* OUT_REAL + GUARD bytes; buffers end at out_arena + OUT_REAL */

/* A buffer of which only the first `writable` bytes may change; the rest and the guard are poisoned. */
static uint8_t *out_prepare(size_t writable)
{
    uint8_t *buffer = out_arena;
    UNPOISON(out_arena, OUT_REAL + GUARD);
    memset(out_arena, UNTOUCHED, OUT_REAL);
    memset(out_arena + OUT_REAL, GUARD_BYTE, GUARD);
    POISON(buffer + writable, OUT_REAL + GUARD - writable);
    return buffer;
}

/* The harness's own loops over bytes are neither coverage nor memory to check: tracing their
   comparisons and loads cost libFuzzer two thirds of its time and told it nothing about the
   library (ASan still sees these bytes: they are poisoned around every call). */
#define NOT_COVERAGE __attribute__((no_sanitize("coverage", "address"), noinline))

NOT_COVERAGE static size_t first_not(const uint8_t *bytes, size_t count, uint8_t value)
{
    uint8_t difference = 0;
    for (size_t i = 0; i < count; i++) difference |= (uint8_t)(bytes[i] ^ value);
    if (difference == 0) return count;
    size_t i = 0;
    while (bytes[i] == value) i++;
    return i;
}

static void out_check(size_t writable)
{
    UNPOISON(out_arena, OUT_REAL + GUARD);
    size_t past = writable + first_not(out_arena + writable, OUT_REAL - writable, UNTOUCHED);
    CHECK(past == OUT_REAL, "byte %zu written past a capacity of %zu", past, writable);
    size_t guard = first_not(out_arena + OUT_REAL, GUARD, GUARD_BYTE);
    CHECK(guard == GUARD, "guard byte %zu written", guard);
}

/* ---- Encoders, one signature ---------------------------------------------------------------- */

typedef uint16_t (*encoder)(const void *object, const void *extra, uint16_t sequence, uint8_t *out, size_t capacity,
                            size_t *written, uint32_t *error_offset);

static uint16_t call_message_encode(const void *object, const void *extra, uint16_t sequence, uint8_t *out,
                                    size_t capacity, size_t *written, uint32_t *error_offset)
{
    (void)extra;
    (void)sequence;
    return pw_message_encode(object, out, capacity, written, error_offset);
}

static uint16_t call_encode_frames(const void *object, const void *extra, uint16_t sequence, uint8_t *out,
                                   size_t capacity, size_t *written, uint32_t *error_offset)
{
    return pw_message_encode_frames(object, sequence, extra, out, capacity, written, error_offset);
}

static uint16_t call_frame_encode(const void *object, const void *extra, uint16_t sequence, uint8_t *out,
                                  size_t capacity, size_t *written, uint32_t *error_offset)
{
    (void)extra;
    (void)sequence;
    return pw_frame_encode(object, out, capacity, written, error_offset);
}

typedef struct {
    uint16_t code;
    uint32_t offset;
    size_t written;
    uint8_t bytes[OUT_REAL];
} outcome;

/* The capacity an encoder sees: NULL is an empty buffer, a size_t above PTRDIFF_MAX counts as 0. */
static size_t effective_capacity(size_t capacity, bool null_out)
{
    return null_out || capacity > (size_t)PTRDIFF_MAX ? 0 : capacity;
}

static void run_encoder(encoder function, const void *object, const void *extra, uint16_t sequence, size_t capacity,
                        bool null_out, outcome *result)
{
    size_t effective = effective_capacity(capacity, null_out);
    size_t writable = effective > OUT_REAL ? OUT_REAL : effective;
    uint8_t *out = out_prepare(writable);
    size_t written = WRITTEN_UNSET;
    uint32_t offset = OFFSET_UNSET;
    uint16_t code = function(object, extra, sequence, null_out ? NULL : out, capacity, &written, &offset);
    out_check(writable);
    CHECK_CODE(code);
    result->code = code;
    result->offset = offset;
    result->written = 0;
    if (code == PW_OK) {
        CHECK(offset == OFFSET_UNSET, "*error_offset written on success");
        CHECK(written <= writable, "%zu bytes written into a capacity of %zu", written, effective);
        result->written = written;
        memcpy(result->bytes, out, written);
    } else {
        CHECK(offset != OFFSET_UNSET, "an error without its offset");
        if (code == BTS) CHECK(offset <= effective, "BUFFER_TOO_SMALL at %u, past the capacity %zu", offset, effective);
    }
}

/* A hostile capacity for an output of `needed` bytes. */
static size_t choose_capacity(input *in, size_t needed, bool *null_out)
{
    *null_out = false;
    switch (u8(in) % 11) {
    case 0: return 0;
    case 1: return 1;
    case 2: return needed > 0 ? needed - 1 : 0; /* one byte too small */
    case 3: return needed;
    case 4: return needed + 1;
    case 5: return u16(in) % (OUT_REAL + 1);
    case 6: return (size_t)SIZE_MAX / 2; /* claimed: the real buffer holds any output */
    case 7: return SIZE_MAX;             /* above PTRDIFF_MAX: counts as 0 */
    case 8: return (size_t)PTRDIFF_MAX + 1;
    case 9: *null_out = true; return 0;
    default: *null_out = true; return 100;
    }
}

/* Calls an encoder with the whole buffer, twice, then with hostile capacities, and checks that
   only BUFFER_TOO_SMALL depends on the buffer. Returns the whole-buffer outcome in `result`. */
static void check_encoder(encoder function, const void *object, const void *extra, uint16_t sequence, input *in,
                          outcome *result)
{
    static outcome again, small;
    run_encoder(function, object, extra, sequence, OUT_REAL, false, result);
    CHECK(result->code != BTS, "BUFFER_TOO_SMALL with %u bytes", OUT_REAL);
    run_encoder(function, object, extra, sequence, OUT_REAL, false, &again);
    CHECK(again.code == result->code && again.offset == result->offset && again.written == result->written &&
              memcmp(again.bytes, result->bytes, result->written) == 0,
          "a second call answered otherwise");
    int tries = 1 + u8(in) % 3;
    for (int i = 0; i < tries; i++) {
        bool null_out;
        size_t capacity = choose_capacity(in, result->written, &null_out);
        size_t effective = effective_capacity(capacity, null_out);
        run_encoder(function, object, extra, sequence, capacity, null_out, &small);
        if (result->code != PW_OK) {
            CHECK(small.code == result->code && small.offset == result->offset,
                  "capacity %zu%s: %s at %u, but %s at %u with room (PW-ENC-5 before the buffer)", capacity,
                  null_out ? " (NULL)" : "", pw_error_name(small.code), small.offset, pw_error_name(result->code),
                  result->offset);
        } else if (effective >= result->written) {
            CHECK(small.code == PW_OK && small.written == result->written &&
                      memcmp(small.bytes, result->bytes, result->written) == 0,
                  "capacity %zu: %s where %zu bytes fit", capacity, pw_error_name(small.code), result->written);
        } else {
            CHECK(small.code == BTS, "capacity %zu: %s for %zu bytes", capacity, pw_error_name(small.code),
                  result->written);
        }
    }
}

/* ---- Context of one input ------------------------------------------------------------------- */

static pw_frame *frame_a, *frame_b;       /* decoder outputs, heap: ASan sees a write past them */
static pw_message *message_a, *message_b;
static pw_log_item *item;
static pw_scan_event *event;
static pw_reassembler *reassembler, *reassembler_copy, *scratch_reassembler;
static pw_scanner *scanner, *scanner_copy;
static pw_log_reader *reader, *reader_copy;
static bool reassembler_ready;

static pw_frame last_frame;
static pw_message last_message;
static pw_log_record last_record;
static bool have_frame, have_message, have_record;

/* ---- Frames and messages -------------------------------------------------------------------- */

static void frames_decode_to(const uint8_t *bytes, size_t length, const pw_message *expected, const uint8_t *payload,
                             size_t payload_length, uint16_t sequence, const pw_authentication_block *authentication);

/* Every encoder and the derived quantities on a message read from read-only memory. `payload` is
   its canonical payload when known (it came from a decoder). */
static void message_checks(const pw_message *source, input *in, const uint8_t *payload, size_t payload_length)
{
    static outcome encoded, frames, authenticated, framed;
    const pw_message *message = read_only(1, source, sizeof *source);
    check_encoder(call_message_encode, message, NULL, 0, in, &encoded);
    if (payload != NULL) {
        CHECK(encoded.code == PW_OK && encoded.written == payload_length &&
                  memcmp(encoded.bytes, payload, payload_length) == 0,
              "a decoded message does not encode to its payload (%s)", pw_error_name(encoded.code));
    }

    uint32_t digest = 0, offset = OFFSET_UNSET;
    uint16_t code = pw_message_digest(message, &digest, &offset);
    CHECK(code == encoded.code, "pw_message_digest %s, pw_message_encode %s", pw_error_name(code),
          pw_error_name(encoded.code));
    if (code == PW_OK) {
        CHECK(digest == pw_crc32(encoded.bytes, encoded.written), "the digest is not the payload's CRC-32");
        CHECK(pw_message_digest(message, NULL, NULL) == PW_OK, "NULL digest and offset are allowed");
        /* What the encoder wrote decodes, and encodes to the same bytes again. */
        const uint8_t *written = read_only(0, encoded.bytes, encoded.written);
        memset(message_b, 0x5A, sizeof *message_b);
        offset = OFFSET_UNSET;
        code = pw_message_decode(message->type, written, encoded.written, message_b, &offset);
        CHECK(code == PW_OK, "an encoded payload does not decode: %s at %u", pw_error_name(code), offset);
        static outcome again;
        run_encoder(call_message_encode, read_only(2, message_b, sizeof *message_b), NULL, 0, OUT_REAL, false, &again);
        CHECK(again.code == PW_OK && again.written == encoded.written &&
                  memcmp(again.bytes, encoded.bytes, encoded.written) == 0,
              "decode(encode(m)) encodes otherwise");
    } else {
        CHECK(offset == encoded.offset, "pw_message_digest at %u, pw_message_encode at %u", offset, encoded.offset);
    }

    uint16_t sequence = u16(in);
    check_encoder(call_encode_frames, message, NULL, sequence, in, &frames);
    if (encoded.code == PW_OK) {
        CHECK(frames.code == PW_OK, "pw_message_encode_frames %s for a message pw_message_encode writes",
              pw_error_name(frames.code));
        frames_decode_to(frames.bytes, frames.written, message, encoded.bytes, encoded.written, sequence, NULL);
    } else {
        CHECK(frames.code == encoded.code, "pw_message_encode_frames %s, pw_message_encode %s",
              pw_error_name(frames.code), pw_error_name(encoded.code));
    }

    pw_authentication_block block;
    block.freshness_counter = u32(in);
    for (int i = 0; i < PW_AUTHENTICATION_TAG_SIZE; i++) block.tag[i] = u8(in);
    const pw_authentication_block *authentication = read_only(2, &block, sizeof block);
    check_encoder(call_encode_frames, message, authentication, sequence, in, &authenticated);
    if (encoded.code == PW_OK && encoded.written <= PW_MAX_FRAME_PAYLOAD) {
        CHECK(authenticated.code == PW_OK, "an authenticated frame refused: %s", pw_error_name(authenticated.code));
        frames_decode_to(authenticated.bytes, authenticated.written, message, encoded.bytes, encoded.written, sequence,
                         authentication);
    } else if (encoded.code == PW_OK) {
        CHECK(authenticated.code == PW_ERR_NON_CANONICAL && authenticated.offset == 4,
              "a fragmented message with an authentication block: %s at %u", pw_error_name(authenticated.code),
              authenticated.offset);
    }

    /* The same message in a frame struct, through pw_frame_encode. */
    pw_frame frame;
    memset(&frame, 0, sizeof frame);
    frame.sequence = sequence;
    frame.message = *message;
    check_encoder(call_frame_encode, read_only(3, &frame, sizeof frame), NULL, 0, in, &framed);
    if (encoded.code == PW_OK && encoded.written <= PW_MAX_FRAME_PAYLOAD) {
        CHECK(framed.code == PW_OK && framed.written == frames.written &&
                  memcmp(framed.bytes, frames.bytes, frames.written) == 0,
              "pw_frame_encode and pw_message_encode_frames disagree (%s)", pw_error_name(framed.code));
    } else if (encoded.code == PW_OK) {
        CHECK(framed.code == PW_ERR_PAYLOAD_TOO_LARGE && framed.offset == 7,
              "a %zu-byte payload in one frame: %s at %u, not PAYLOAD_TOO_LARGE at 7 (PW-FRAME-5)", encoded.written,
              pw_error_name(framed.code), framed.offset);
    } else {
        CHECK(framed.code != PW_OK, "pw_frame_encode accepted a message pw_message_encode refuses");
    }

    /* D2 and D3 check the prescription as pw_message_encode does (errors as from it). */
    if (message->type == PW_TYPE_PRESCRIPTION_BLOCK) {
        const pw_prescription_block *prescription = &message->body.prescription_block;
        uint64_t volume = 0, dose = 0, volume_again = 0, dose_again = 0;
        offset = OFFSET_UNSET;
        code = pw_daily_basal(prescription, &volume, &dose, &offset);
        CHECK(code == encoded.code && (code == PW_OK || offset == encoded.offset),
              "pw_daily_basal %s at %u, pw_message_encode %s at %u", pw_error_name(code), offset,
              pw_error_name(encoded.code), encoded.offset);
        if (code == PW_OK) {
            CHECK(pw_daily_basal(prescription, &volume_again, &dose_again, NULL) == PW_OK && volume == volume_again &&
                      dose == dose_again,
                  "pw_daily_basal answered otherwise");
            CHECK(pw_daily_basal(prescription, NULL, NULL, NULL) == PW_OK, "NULL outputs are allowed");
        }
    }
}

/* The frames an encoder wrote: each passes pw_frame_decode, and together they carry `expected`. */
static void frames_decode_to(const uint8_t *bytes_rw, size_t length, const pw_message *expected, const uint8_t *payload,
                             size_t payload_length, uint16_t sequence, const pw_authentication_block *authentication)
{
    const uint8_t *bytes = read_only(0, bytes_rw, length);
    pw_scanner local;
    pw_scan_event found;
    CHECK(pw_scanner_init(&local, bytes, length) == PW_OK, "pw_scanner_init");
    CHECK(pw_reassembler_init(scratch_reassembler) == PW_OK, "pw_reassembler_init");
    size_t frames = 0, end = 0;
    uint8_t progress = 0xFF;
    while (pw_scanner_next(&local, &found)) {
        CHECK(found.kind == PW_SCAN_FRAME && found.start == end, "an encoder wrote what a scanner rejects (%s at %zu)",
              pw_error_name(found.error_code), found.start);
        end = found.start + found.length;
        frames++;
        uint32_t offset = OFFSET_UNSET;
        uint16_t code = pw_frame_decode(bytes + found.start, found.length, frame_b, &offset);
        CHECK(code == PW_OK, "an encoded frame does not decode: %s at %u", pw_error_name(code), offset);
        CHECK(frame_b->sequence == sequence, "the sequence number changed");
        CHECK(pw_frame_message_type(frame_b) == expected->type, "the message type changed");
        if (authentication != NULL) {
            CHECK((frame_b->flags & PW_FRAME_AUTHENTICATED) &&
                      frame_b->authentication.freshness_counter == authentication->freshness_counter &&
                      memcmp(frame_b->authentication.tag, authentication->tag, PW_AUTHENTICATION_TAG_SIZE) == 0,
                  "the authentication block did not come back");
        } else {
            CHECK(!(frame_b->flags & PW_FRAME_AUTHENTICATED), "an authentication block from nowhere");
        }
        if (frame_b->flags & PW_FRAME_FRAGMENT) {
            code = pw_reassembler_add(scratch_reassembler, read_only(3, frame_b, sizeof *frame_b), &progress, &offset);
            CHECK(code == PW_OK, "an encoded fragment is refused: %s at %u", pw_error_name(code), offset);
        } else if (pw_frame_is_sealed(frame_b)) {
            /* PW-AUTH-3: a frame with a block decodes as a sealed envelope, its payload never read as a
               message; without keys its "ciphertext" is the payload bytes the encoder wrote. */
            size_t sealed_length = 0;
            const uint8_t *sealed = pw_frame_ciphertext(frame_b, &sealed_length);
            CHECK(sealed_length == payload_length && (payload_length == 0 || memcmp(sealed, payload, payload_length) == 0),
                  "a sealed frame's ciphertext is not the payload written");
        } else {
            static outcome again;
            run_encoder(call_message_encode, read_only(3, &frame_b->message, sizeof frame_b->message), NULL, 0, OUT_REAL,
                        false, &again);
            CHECK(again.code == PW_OK && again.written == payload_length &&
                      memcmp(again.bytes, payload, payload_length) == 0,
                  "the frame's message encodes otherwise");
        }
    }
    CHECK(end == length && frames >= 1, "the scanner did not read every byte an encoder wrote");
    if (frames > 1) {
        CHECK(progress == PW_REASSEMBLY_COMPLETE, "the fragments did not complete the message");
        uint32_t offset = OFFSET_UNSET;
        uint16_t code = pw_reassembler_take_message(scratch_reassembler, message_b, &offset);
        CHECK(code == PW_OK, "a reassembled message does not decode: %s at %u", pw_error_name(code), offset);
        static outcome again;
        run_encoder(call_message_encode, read_only(3, message_b, sizeof *message_b), NULL, 0, OUT_REAL, false, &again);
        CHECK(again.code == PW_OK && again.written == payload_length && memcmp(again.bytes, payload, payload_length) == 0,
              "the reassembled message encodes otherwise");
    }
}

/* Decodes input bytes as one frame, with hostile pointers and lengths. */
static void op_frame_decode(input *in)
{
    operation = "pw_frame_decode";
    const uint8_t *bytes;
    size_t length = blob(in, PW_MAX_FRAME_SIZE + 16, &bytes);
    const uint8_t *data = read_only(0, bytes, length);
    uint8_t mode = u8(in);
    const uint8_t *pointer = data;
    size_t claimed = length;
    if (mode % 16 == 0) pointer = NULL; /* NULL bytes read as empty, whatever the length */
    if (mode % 16 == 1) claimed = SIZE_MAX;
    size_t effective = pointer == NULL || claimed > (size_t)PTRDIFF_MAX ? 0 : claimed;

    memset(frame_a, 0x33, sizeof *frame_a);
    memset(frame_b, 0xCC, sizeof *frame_b);
    uint32_t offset_a = OFFSET_UNSET, offset_b = OFFSET_UNSET;
    uint16_t code = pw_frame_decode(pointer, claimed, frame_a, &offset_a);
    CHECK_CODE(code);
    CHECK(pw_frame_decode(pointer, claimed, frame_b, &offset_b) == code && offset_a == offset_b, "a second decode");
    uint32_t offset_null = OFFSET_UNSET;
    CHECK(pw_frame_decode(pointer, claimed, NULL, &offset_null) == BTS && offset_null == 0, "NULL frame");
    if (code != PW_OK) {
        CHECK(code != BTS && code < 64, "a decoder answered %s", pw_error_name(code));
        CHECK(offset_a <= effective, "error offset %u past the %zu bytes", offset_a, effective);
        return;
    }
    CHECK(offset_a == OFFSET_UNSET, "*error_offset written on success");
    CHECK(effective == length, "a frame decoded from nothing");
    /* Every field is filled, whatever the struct held before. */
    CHECK(frame_a->sequence == frame_b->sequence && frame_a->flags == frame_b->flags &&
              memcmp(&frame_a->authentication, &frame_b->authentication, sizeof frame_a->authentication) == 0 &&
              memcmp(&frame_a->fragment, &frame_b->fragment, sizeof frame_a->fragment) == 0 &&
              memcmp(&frame_a->message, &frame_b->message, sizeof frame_a->message) == 0,
          "a decoded frame depends on what the struct held before");
    last_frame = *frame_a;
    have_frame = true;

    /* An accepted frame is canonical: pw_frame_encode gives exactly its bytes back. */
    static outcome encoded;
    check_encoder(call_frame_encode, read_only(1, frame_a, sizeof *frame_a), NULL, 0, in, &encoded);
    CHECK(encoded.code == PW_OK && encoded.written == length && memcmp(encoded.bytes, bytes, length) == 0,
          "a decoded frame does not encode to its bytes (%s at %u)", pw_error_name(encoded.code), encoded.offset);

    if (frame_a->flags & PW_FRAME_FRAGMENT) {
        if (reassembler_ready) {
            uint8_t progress = 0xFF;
            uint32_t offset = OFFSET_UNSET;
            const pw_frame *fragment = read_only(1, frame_a, sizeof *frame_a);
            code = pw_reassembler_add(reassembler, fragment, &progress, &offset);
            CHECK_CODE(code);
            CHECK(code != PW_OK || progress <= PW_REASSEMBLY_COMPLETE, "progress %u", progress);
            const pw_reassembler *state = read_only(2, reassembler, sizeof *reassembler);
            bool in_progress = pw_reassembler_in_progress(state);
            if (code == PW_OK) CHECK(in_progress == (progress == PW_REASSEMBLY_ACCEPTED) || progress == PW_REASSEMBLY_DUPLICATE,
                                     "pw_reassembler_in_progress disagrees with the progress");
        }
        return;
    }
    size_t payload_length = (size_t)(bytes[7] | bytes[8] << 8);
    if (pw_frame_is_sealed(frame_a)) {
        /* PW-AUTH-3: a sealed frame's payload is ciphertext, never a message: only its bytes come back. */
        size_t sealed_length = 0;
        const uint8_t *sealed = pw_frame_ciphertext(frame_a, &sealed_length);
        CHECK(sealed_length == payload_length &&
                  (payload_length == 0 || memcmp(sealed, bytes + PW_HEADER_SIZE, payload_length) == 0),
              "a sealed frame's ciphertext is not its payload");
        return;
    }
    last_message = frame_a->message;
    have_message = true;
    message_checks(&frame_a->message, in, bytes + PW_HEADER_SIZE, payload_length);
}

static uint8_t any_type(input *in)
{
    static const uint8_t types[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x81, 0x84, 0x85, 0xF0, 0xF1};
    uint8_t choice = u8(in);
    return choice < 200 ? types[choice % sizeof types] : u8(in);
}

static void op_message_decode(input *in)
{
    operation = "pw_message_decode";
    uint8_t type = any_type(in);
    const uint8_t *bytes;
    size_t length = blob(in, PW_MAX_MESSAGE_PAYLOAD + 8, &bytes);
    const uint8_t *payload = read_only(0, bytes, length);
    memset(message_a, 0x11, sizeof *message_a);
    memset(message_b, 0xEE, sizeof *message_b);
    uint32_t offset_a = OFFSET_UNSET, offset_b = OFFSET_UNSET;
    uint16_t code = pw_message_decode(type, payload, length, message_a, &offset_a);
    CHECK_CODE(code);
    CHECK(pw_message_decode(type, payload, length, message_b, &offset_b) == code && offset_a == offset_b,
          "a second decode");
    if (code == PW_OK) {
        CHECK(offset_a == OFFSET_UNSET, "*error_offset written on success");
        CHECK(memcmp(message_a, message_b, sizeof *message_a) == 0, "a decoded message depends on what the struct held");
    } else {
        CHECK(code != BTS && code < 64, "a decoder answered %s", pw_error_name(code));
        CHECK(offset_a <= length, "error offset %u past the %zu bytes", offset_a, length);
    }
    /* NULL bytes read as empty; a NULL message is BUFFER_TOO_SMALL at 0. */
    CHECK(pw_message_decode(type, NULL, length, message_b, NULL) == pw_message_decode(type, payload, 0, message_b, NULL),
          "NULL bytes read as empty");
    CHECK(pw_message_decode(type, payload, SIZE_MAX, message_b, NULL) == pw_message_decode(type, payload, 0, message_b, NULL),
          "SIZE_MAX bytes read as empty");
    uint32_t offset_null = OFFSET_UNSET;
    CHECK(pw_message_decode(type, payload, length, NULL, &offset_null) == BTS && offset_null == 0, "NULL message");
    if (code != PW_OK) return;
    last_message = *message_a;
    have_message = true;
    message_checks(message_a, in, bytes, length);
}

/* Offsets of the fields that size or select what an encoder reads: counts, lengths, flags, tags. */
static const size_t message_fields[] = {
    offsetof(pw_message, type),
    offsetof(pw_message, body.prescription_block.step_count),
    offsetof(pw_message, body.prescription_block.mode),
    offsetof(pw_message, body.prescription_block.drug),
    offsetof(pw_message, body.bolus_schedule.flags),
    offsetof(pw_message, body.bolus_schedule.periodic_count),
    offsetof(pw_message, body.pump_status.model.length),
    offsetof(pw_message, body.pump_status.serial.length),
    offsetof(pw_message, body.memory_dump_chunk.data_length),
    offsetof(pw_message, body.memory_dump_request.region),
    offsetof(pw_message, body.negative_acknowledgement.error_code),
    offsetof(pw_message, body.unknown.length),
    offsetof(pw_message, body.unknown.length) + 1,
};
static const uint8_t boundaries[] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 47, 48, 49, 0x7F, 0x80, 0xDA, 0xDB, 0xEC, 0xF0, 0xF1, 0xFE, 0xFF};

static void mutate(uint8_t *object, size_t size, const size_t *fields, size_t field_count, input *in)
{
    int mutations = u8(in) % 8;
    for (int i = 0; i < mutations; i++) {
        uint8_t kind = u8(in);
        size_t at = kind & 1 ? fields[u8(in) % field_count] : u16(in) % size;
        object[at] = kind & 2 ? boundaries[u8(in) % sizeof boundaries] : u8(in);
    }
}

/* A pw_message built from the last decoded one, zeros or input bytes, then mutated: garbage
   counts, lengths, tags and enumerations, given to every encoder. */
static void op_message_struct(input *in)
{
    operation = "pw_message encoders";
    pw_message message;
    uint8_t base = u8(in) % 4;
    if (base == 0 && have_message) {
        message = last_message;
    } else if (base == 1) {
        const uint8_t *bytes;
        size_t length = blob(in, sizeof message, &bytes);
        memset(&message, 0, sizeof message);
        memcpy(&message, bytes, length);
    } else {
        memset(&message, 0, sizeof message);
        message.type = any_type(in);
    }
    mutate((uint8_t *)&message, sizeof message, message_fields, sizeof message_fields / sizeof *message_fields, in);
    message_checks(&message, in, NULL, 0);
}

static const size_t frame_fields[] = {
    offsetof(pw_frame, flags),
    offsetof(pw_frame, fragment.message_type),
    offsetof(pw_frame, fragment.index),
    offsetof(pw_frame, fragment.count),
    offsetof(pw_frame, fragment.total_length),
    offsetof(pw_frame, fragment.total_length) + 1,
    offsetof(pw_frame, fragment.data_length),
    offsetof(pw_frame, message.type),
    offsetof(pw_frame, message.body.prescription_block.step_count),
    offsetof(pw_frame, message.body.unknown.length),
    offsetof(pw_frame, message.body.unknown.length) + 1,
};

/* A pw_frame from the last decoded one or zeros, mutated, through pw_frame_encode and back. */
static void op_frame_struct(input *in)
{
    operation = "pw_frame_encode";
    pw_frame frame;
    if (u8(in) % 2 == 0 && have_frame) {
        frame = last_frame;
    } else {
        memset(&frame, 0, sizeof frame);
        frame.message.type = any_type(in);
    }
    frame.sequence = u16(in);
    mutate((uint8_t *)&frame, sizeof frame, frame_fields, sizeof frame_fields / sizeof *frame_fields, in);
    const pw_frame *source = read_only(1, &frame, sizeof frame);
    static outcome encoded;
    check_encoder(call_frame_encode, source, NULL, 0, in, &encoded);
    if (encoded.code == PW_OK) {
        const uint8_t *bytes = read_only(0, encoded.bytes, encoded.written);
        uint32_t offset = OFFSET_UNSET;
        uint16_t code = pw_frame_decode(bytes, encoded.written, frame_a, &offset);
        CHECK(code == PW_OK, "an encoded frame does not decode: %s at %u", pw_error_name(code), offset);
        CHECK(frame_a->sequence == frame.sequence && frame_a->flags == frame.flags, "header fields changed");
        static outcome again;
        run_encoder(call_frame_encode, read_only(2, frame_a, sizeof *frame_a), NULL, 0, OUT_REAL, false, &again);
        CHECK(again.code == PW_OK && again.written == encoded.written &&
                  memcmp(again.bytes, encoded.bytes, encoded.written) == 0,
              "decode(encode(frame)) encodes otherwise");
    }
    /* Any struct, valid or not, into a prepared reassembler: an answer, never a trap. */
    if (reassembler_ready) {
        uint8_t progress = 0xFF;
        uint32_t offset = OFFSET_UNSET;
        uint16_t code = pw_reassembler_add(reassembler, source, &progress, &offset);
        CHECK_CODE(code);
        if (!(frame.flags & PW_FRAME_FRAGMENT)) CHECK(code == PW_ERR_NON_CANONICAL && offset == 4, "a non-fragment added");
    }
}

/* ---- Log records ----------------------------------------------------------------------------- */

static void check_log_image(const uint8_t *image, size_t length, uint8_t region, uint32_t region_offset, input *in);

static const size_t record_fields[] = {
    offsetof(pw_log_record, record_type),
    offsetof(pw_log_record, time),
    offsetof(pw_log_record, time) + 3,
    offsetof(pw_log_record, body.alarm_raised.alarm),
    offsetof(pw_log_record, body.alarm_raised.cause),
    offsetof(pw_log_record, body.bolus_delivered.kind),
    offsetof(pw_log_record, body.bolus_delivered.outcome),
    offsetof(pw_log_record, body.refilled.drug),
    offsetof(pw_log_record, body.therapy_changed.source),
};

static void op_log_record(input *in)
{
    operation = "pw_log_record_encode";
    static const uint8_t record_types[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x10, 0x11, 0x20};
    pw_log_record record;
    if (u8(in) % 2 == 0 && have_record) {
        record = last_record;
    } else {
        memset(&record, 0, sizeof record);
        uint8_t choice = u8(in);
        record.record_type = choice < 220 ? record_types[choice % sizeof record_types] : u8(in);
        record.time = u32(in);
    }
    mutate((uint8_t *)&record, sizeof record, record_fields, sizeof record_fields / sizeof *record_fields, in);
    const pw_log_record *source = read_only(1, &record, sizeof record);

    uint8_t *out = out_prepare(PW_LOG_RECORD_SIZE);
    uint32_t offset = OFFSET_UNSET;
    uint16_t code = pw_log_record_encode(source, out, &offset);
    out_check(PW_LOG_RECORD_SIZE);
    CHECK_CODE(code);
    uint8_t written[PW_LOG_RECORD_SIZE];
    memcpy(written, out, sizeof written);
    uint32_t offset_again = OFFSET_UNSET;
    out = out_prepare(PW_LOG_RECORD_SIZE);
    CHECK(pw_log_record_encode(source, out, &offset_again) == code && offset_again == offset, "a second call");
    out_check(PW_LOG_RECORD_SIZE);
    CHECK(code != PW_OK || memcmp(out, written, sizeof written) == 0, "a second call wrote otherwise");
    /* NULL out: the record's own error first, else BUFFER_TOO_SMALL (PW-ENC-5 before the buffer). */
    uint32_t offset_null = OFFSET_UNSET;
    uint16_t code_null = pw_log_record_encode(source, NULL, &offset_null);
    if (code == PW_OK) CHECK(code_null == BTS && offset_null == 0, "NULL out: %s", pw_error_name(code_null));
    else CHECK(code_null == code && offset_null == offset, "NULL out: %s, not %s", pw_error_name(code_null), pw_error_name(code));
    if (code != PW_OK) {
        CHECK(code != BTS && offset < PW_LOG_RECORD_SIZE, "%s at %u", pw_error_name(code), offset);
        return;
    }
    CHECK(offset == OFFSET_UNSET, "*error_offset written on success");
    /* A log reader reads back exactly this record. */
    CHECK(pw_log_reader_init(reader, read_only(0, written, sizeof written), sizeof written, 0, 0, NULL) == PW_OK, "init");
    CHECK(pw_log_reader_next(reader, item) && item->kind == PW_LOG_RECORD && item->offset == 0,
          "an encoded record does not read back (%s at %u)", pw_error_name(item->error_code), item->error_offset);
    CHECK(!pw_log_reader_next(reader, item), "more than one record in 20 bytes");
    last_record = item->record;
    have_record = true;
    check_log_image(written, sizeof written, 0, 0, in);
}

/* Reads an image with every check of FuzzLogReader, and re-encodes every record it reads. */
static void check_log_image(const uint8_t *image_rw, size_t length, uint8_t region, uint32_t region_offset, input *in)
{
    const uint8_t *image = read_only(0, image_rw, length);
    memset(reader, 0x77, sizeof *reader);
    uint32_t offset = OFFSET_UNSET;
    uint16_t code = pw_log_reader_init(reader, image, length, region, region_offset, &offset);
    if (region > 3) {
        CHECK(code == PW_ERR_FIELD_OUT_OF_RANGE && offset == 0, "region %u: %s", region, pw_error_name(code));
        return;
    }
    CHECK(code == PW_OK, "pw_log_reader_init: %s", pw_error_name(code));
    size_t next = 0, items = 0;
    bool copied = false;
    while (pw_log_reader_next(reader, item)) {
        CHECK(++items <= length / PW_LOG_RECORD_SIZE + 3, "the log reader does not end");
        CHECK(item->offset == next, "item at %u, expected %zu", item->offset, next);
        switch (item->kind) {
        case PW_LOG_RECORD: {
            CHECK(next + PW_LOG_RECORD_SIZE <= length, "a record past the image");
            const pw_log_record *record = read_only(1, &item->record, sizeof item->record);
            uint8_t out[PW_LOG_RECORD_SIZE];
            uint32_t error = OFFSET_UNSET;
            code = pw_log_record_encode(record, out, &error);
            CHECK(code == PW_OK && memcmp(out, image_rw + next, PW_LOG_RECORD_SIZE) == 0,
                  "a record read does not encode to its slot (%s at %u)", pw_error_name(code), error);
            next += PW_LOG_RECORD_SIZE;
            break;
        }
        case PW_LOG_ERASED:
            CHECK(item->erased_slots > 0 && next + (size_t)item->erased_slots * PW_LOG_RECORD_SIZE <= length,
                  "erased slots past the image");
            CHECK(first_not(image_rw + next, (size_t)item->erased_slots * PW_LOG_RECORD_SIZE, 0xFF) ==
                      (size_t)item->erased_slots * PW_LOG_RECORD_SIZE,
                  "an erased slot that is not 0xff");
            next += (size_t)item->erased_slots * PW_LOG_RECORD_SIZE;
            break;
        case PW_LOG_REJECTED: {
            size_t misalignment = (size_t)(((uint64_t)region_offset + next) % PW_LOG_RECORD_SIZE);
            size_t end = next + PW_LOG_RECORD_SIZE - misalignment;
            if (end > length) end = length;
            CHECK(item->error_offset >= next && item->error_offset < end, "error offset %u outside its slot %zu..<%zu",
                  item->error_offset, next, end);
            CHECK(item->error_code == 9 || item->error_code == 10 || item->error_code == 60 || item->error_code == 61,
                  "a log reader answered %s", pw_error_name(item->error_code));
            next = end;
            break;
        }
        default:
            CHECK(false, "item kind %u", item->kind);
        }
        /* Half way, carry on with a byte-for-byte copy: it reads as the original would have. */
        if (!copied && u8(in) % 8 == 0) {
            memcpy(reader_copy, reader, sizeof *reader);
            pw_log_reader *swap = reader;
            reader = reader_copy;
            reader_copy = swap;
            copied = true;
        }
    }
    CHECK(next == length, "the items cover %zu of %zu bytes", next, length);
    CHECK(!pw_log_reader_next(reader, item), "an item after the end");
    CHECK(!pw_log_reader_next(reader, NULL), "an item into NULL");
}

static void op_log_reader(input *in)
{
    operation = "pw_log_reader";
    const uint8_t *bytes;
    size_t length = blob(in, 2000, &bytes);
    uint8_t choice = u8(in);
    uint8_t region = choice < 224 ? choice % 5 : u8(in);
    uint32_t region_offset = u8(in) % 2 ? u32(in) : 0;
    check_log_image(bytes, length, region, region_offset, in);
    /* Hostile lengths: NULL or a size_t above PTRDIFF_MAX read as an empty image. */
    CHECK(pw_log_reader_init(reader, NULL, length, 0, 0, NULL) == PW_OK && !pw_log_reader_next(reader, item),
          "NULL image");
    CHECK(pw_log_reader_init(reader, read_only(0, bytes, length), SIZE_MAX, 0, 0, NULL) == PW_OK &&
              !pw_log_reader_next(reader, item),
          "SIZE_MAX image");
}

/* ---- The scanner ------------------------------------------------------------------------------ */

static size_t hostile_offset(input *in, size_t length, size_t start)
{
    switch (u8(in) % 10) {
    case 0: return 0;
    case 1: return start;
    case 2: return start + 1;
    case 3: return length > 0 ? length - 1 : 0;
    case 4: return length;
    case 5: return length + 1;
    case 6: return SIZE_MAX;
    case 7: return (size_t)SIZE_MAX / 2;
    case 8: return (size_t)PTRDIFF_MAX + 1;
    default: return u32(in);
    }
}

static void op_scanner(input *in)
{
    operation = "pw_scanner";
    const uint8_t *bytes_rw;
    size_t length = blob(in, 3000, &bytes_rw);
    const uint8_t *bytes = read_only(0, bytes_rw, length);
    memset(scanner, 0x5C, sizeof *scanner);
    CHECK(pw_scanner_init(scanner, bytes, length) == PW_OK, "pw_scanner_init");
    CHECK(!pw_scanner_next(scanner, NULL), "an event into NULL");
    size_t calls = 0, resynchronized = 0, previous_end = 0;
    bool must_end = false;
    size_t after = 0; /* the next event starts after this offset, when set */
    bool check_after = false;
    while (pw_scanner_next(scanner, event)) {
        CHECK(!must_end, "an event after resynchronizing past the end");
        CHECK(++calls <= (resynchronized + 1) * (length + 2), "the scanner does not end");
        CHECK(event->kind == PW_SCAN_FRAME || event->kind == PW_SCAN_REJECTED, "event kind %u", event->kind);
        CHECK(event->start < length, "an event at %zu of %zu bytes", event->start, length);
        if (check_after) CHECK(event->start > after && bytes_rw[event->start] == 0xA5, "resynchronized to %zu after %zu", event->start, after);
        else CHECK(event->start >= previous_end, "events out of order");
        check_after = false;
        if (event->kind == PW_SCAN_FRAME) {
            CHECK(event->length >= PW_HEADER_SIZE + 2 && event->start + event->length <= length, "a frame past the stream");
            uint32_t offset = OFFSET_UNSET;
            uint16_t code = pw_frame_decode(bytes + event->start, event->length, frame_a, &offset);
            /* Steps 1 to 9 of 4.2 passed in the scanner; only the payload's checks may fail now. */
            CHECK(code != 1 && code != 2 && code != 3 && code != 6 && code != 7 && code != 32 && code != 33 &&
                      code != 34 && code != BTS && !(code == 8 && offset == 7) && !(code == 9 && offset == 4),
                  "a scanned frame fails a frame check: %s at %u", pw_error_name(code), offset);
            previous_end = event->start + event->length;
        } else {
            CHECK(event->error_code != PW_OK && is_error_code(event->error_code), "rejected with %u", event->error_code);
            previous_end = event->start + 1;
        }
        if (u8(in) % 4 == 0 && resynchronized < 64) {
            size_t start = hostile_offset(in, length, event->start);
            pw_scanner_resynchronize(scanner, start);
            resynchronized++;
            must_end = start >= length;
            after = start;
            check_after = !must_end;
            previous_end = 0;
        } else if (u8(in) % 16 == 0) {
            memcpy(scanner_copy, scanner, sizeof *scanner); /* a copy reads on as the original */
            pw_scanner *swap = scanner;
            scanner = scanner_copy;
            scanner_copy = swap;
        }
    }
    CHECK(!pw_scanner_next(scanner, event), "an event after the end");
    /* Hostile lengths: NULL or a size_t above PTRDIFF_MAX scan as an empty stream. */
    CHECK(pw_scanner_init(scanner, NULL, length) == PW_OK && !pw_scanner_next(scanner, event), "NULL stream");
    CHECK(pw_scanner_init(scanner, bytes, SIZE_MAX) == PW_OK && !pw_scanner_next(scanner, event), "SIZE_MAX stream");
}

/* ---- The reassembler -------------------------------------------------------------------------- */

static void op_reassembler(input *in)
{
    operation = "pw_reassembler";
    uint32_t offset = OFFSET_UNSET;
    uint16_t code;
    switch (u8(in) % 6) {
    case 0:
        CHECK(pw_reassembler_init(reassembler) == PW_OK, "pw_reassembler_init");
        reassembler_ready = true;
        CHECK(!pw_reassembler_in_progress(read_only(2, reassembler, sizeof *reassembler)), "in progress after init");
        break;
    case 1:
        if (!reassembler_ready || !have_frame) return;
        {
            uint8_t progress = 0xFF;
            code = pw_reassembler_add(reassembler, read_only(1, &last_frame, sizeof last_frame), &progress, &offset);
            CHECK_CODE(code);
            if (code == PW_OK) CHECK(progress <= PW_REASSEMBLY_COMPLETE, "progress %u", progress);
            if (code != PW_OK) CHECK(offset <= PW_MAX_FRAME_SIZE, "offset %u", offset);
        }
        break;
    case 2:
        if (!reassembler_ready) return;
        memset(message_a, 0x42, sizeof *message_a);
        code = pw_reassembler_take_message(reassembler, message_a, &offset);
        CHECK_CODE(code);
        CHECK(!pw_reassembler_in_progress(reassembler), "in progress after taking the message (PW-FRAG-13)");
        if (code == PW_OK) {
            /* A reassembled message is valid: every encoder takes it (the largest ones come this way). */
            last_message = *message_a;
            have_message = true;
            static pw_message taken;
            taken = *message_a;
            static outcome encoded;
            run_encoder(call_message_encode, read_only(1, &taken, sizeof taken), NULL, 0, OUT_REAL, false, &encoded);
            CHECK(encoded.code == PW_OK, "a reassembled message does not encode: %s", pw_error_name(encoded.code));
            message_checks(&taken, in, encoded.bytes, encoded.written);
        }
        break;
    case 3:
        if (!reassembler_ready) return;
        code = pw_reassembler_give_up(reassembler, &offset);
        CHECK(code == PW_OK || (code == PW_ERR_FRAGMENT_MISSING && offset < PW_MAX_MESSAGE_PAYLOAD), "give up: %s at %u",
              pw_error_name(code), offset);
        CHECK(!pw_reassembler_in_progress(reassembler), "in progress after giving up");
        CHECK(pw_reassembler_give_up(reassembler, NULL) == PW_OK, "a second give up");
        break;
    case 4:
        /* A byte-for-byte copy carries on as the original. */
        if (!reassembler_ready) return;
        memcpy(reassembler_copy, reassembler, sizeof *reassembler);
        CHECK(pw_reassembler_in_progress(reassembler_copy) == pw_reassembler_in_progress(reassembler), "a copy");
        {
            uint32_t offset_copy = OFFSET_UNSET;
            code = pw_reassembler_give_up(reassembler, &offset);
            CHECK(pw_reassembler_give_up(reassembler_copy, &offset_copy) == code && offset == offset_copy,
                  "a copy gives up otherwise");
        }
        break;
    default:
        /* NULL where the header forbids it: BUFFER_TOO_SMALL at 0; where it allows it, an answer. */
        CHECK(pw_reassembler_init(NULL) == BTS, "init NULL");
        offset = OFFSET_UNSET;
        CHECK(pw_reassembler_add(NULL, &last_frame, NULL, &offset) == BTS && offset == 0, "add to NULL");
        if (reassembler_ready) {
            offset = OFFSET_UNSET;
            CHECK(pw_reassembler_add(reassembler, NULL, NULL, &offset) == BTS && offset == 0, "add NULL");
            offset = OFFSET_UNSET;
            CHECK(pw_reassembler_take_message(reassembler, NULL, &offset) == BTS && offset == 0, "take into NULL");
        }
        CHECK(pw_reassembler_take_message(NULL, message_a, NULL) == BTS, "take from NULL");
        CHECK(pw_reassembler_give_up(NULL, NULL) == BTS, "give up NULL");
        CHECK(!pw_reassembler_in_progress(NULL), "NULL in progress");
        break;
    }
}

/* ---- State structs init never prepared ------------------------------------------------------ */

NOT_COVERAGE static uint64_t split_mix(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* Garbage an init function never wrote: zeros, 0xff, one byte repeated, or random words from a
   seed (so that the input cannot carry a state's own check word). */
static void garbage(void *object, size_t size, input *in)
{
    uint8_t kind = u8(in) % 4;
    uint8_t *bytes = object;
    if (kind == 0) memset(bytes, 0, size);
    else if (kind == 1) memset(bytes, 0xFF, size);
    else if (kind == 2) memset(bytes, u8(in), size);
    else {
        uint64_t seed = u64(in);
        for (size_t i = 0; i + 8 <= size; i += 8) {
            uint64_t word = split_mix(&seed);
            memcpy(bytes + i, &word, 8);
        }
    }
}

/* Changes one 8-byte word of a prepared state. */
static void change_word(void *object, size_t size, input *in)
{
    size_t word = u8(in) % (size / 8);
    uint64_t value;
    memcpy(&value, (uint8_t *)object + 8 * word, 8);
    uint64_t change = u64(in);
    value ^= change != 0 ? change : 1;
    memcpy((uint8_t *)object + 8 * word, &value, 8);
}

static void op_unprepared_state(input *in)
{
    operation = "state structs never prepared";
    static uint8_t before[sizeof(pw_reassembler)];
    uint8_t which = u8(in) % 3;
    bool changed_word = u8(in) % 2 == 0; /* else garbage */
    const uint8_t *stream_rw;
    size_t length = blob(in, 600, &stream_rw);
    const uint8_t *stream = read_only(0, stream_rw, length);
    if (which == 0) {
        if (changed_word) {
            /* A prepared scanner with one word changed: refused, or exactly as the original. */
            CHECK(pw_scanner_init(scanner, stream, length) == PW_OK, "init");
            memcpy(scanner_copy, scanner, sizeof *scanner);
            change_word(scanner_copy, sizeof *scanner_copy, in);
            pw_scan_event original, changed;
            for (;;) {
                bool more = pw_scanner_next(scanner, &original);
                memcpy(before, scanner_copy, sizeof *scanner_copy);
                bool more_changed = pw_scanner_next(scanner_copy, &changed);
                if (!more_changed) {
                    CHECK(!more || memcmp(before, scanner_copy, sizeof *scanner_copy) == 0, "a refused scanner was written");
                    break;
                }
                CHECK(more && memcmp(&original, &changed, sizeof original) == 0, "a changed scanner read otherwise");
            }
        } else {
            garbage(scanner, sizeof *scanner, in);
            memcpy(before, scanner, sizeof *scanner);
            CHECK(!pw_scanner_next(scanner, event), "an event from a scanner never prepared");
            pw_scanner_resynchronize(scanner, hostile_offset(in, length, 0));
            CHECK(!pw_scanner_next(scanner, event), "an event from a scanner never prepared");
            CHECK(memcmp(before, scanner, sizeof *scanner) == 0, "a scanner never prepared was written");
        }
    } else if (which == 1) {
        if (changed_word) {
            CHECK(pw_log_reader_init(reader, stream, length, 0, u32(in), NULL) == PW_OK, "init");
            memcpy(reader_copy, reader, sizeof *reader);
            change_word(reader_copy, sizeof *reader_copy, in);
            static pw_log_item original;
            for (;;) {
                bool more = pw_log_reader_next(reader, &original);
                memcpy(before, reader_copy, sizeof *reader_copy);
                bool more_changed = pw_log_reader_next(reader_copy, item);
                if (!more_changed) {
                    CHECK(!more || memcmp(before, reader_copy, sizeof *reader_copy) == 0, "a refused reader was written");
                    break;
                }
                CHECK(more && memcmp(&original, item, sizeof original) == 0, "a changed log reader read otherwise");
            }
        } else {
            garbage(reader, sizeof *reader, in);
            memcpy(before, reader, sizeof *reader);
            CHECK(!pw_log_reader_next(reader, item), "an item from a log reader never prepared");
            CHECK(memcmp(before, reader, sizeof *reader) == 0, "a log reader never prepared was written");
        }
    } else {
        uint32_t offset = OFFSET_UNSET;
        uint8_t progress = 0xFF;
        if (changed_word) {
            CHECK(pw_reassembler_init(reassembler_copy) == PW_OK, "init");
            if (have_frame) {
                uint16_t code = pw_reassembler_add(reassembler_copy, &last_frame, NULL, NULL);
                CHECK_CODE(code);
            }
            memcpy(scratch_reassembler, reassembler_copy, sizeof *reassembler_copy);
            change_word(reassembler_copy, sizeof *reassembler_copy, in);
            memcpy(before, reassembler_copy, sizeof *reassembler_copy);
            uint32_t offset_original = OFFSET_UNSET;
            uint16_t original = pw_reassembler_give_up(scratch_reassembler, &offset_original);
            uint16_t changed = pw_reassembler_give_up(reassembler_copy, &offset);
            if (changed == BTS && offset == 0 && original != BTS) {
                CHECK(memcmp(before, reassembler_copy, sizeof *reassembler_copy) == 0, "a refused reassembler was written");
            } else {
                CHECK(changed == original && offset == offset_original, "a changed reassembler gave up otherwise");
            }
        } else {
            garbage(reassembler_copy, sizeof *reassembler_copy, in);
            memcpy(before, reassembler_copy, sizeof *reassembler_copy);
            CHECK(!pw_reassembler_in_progress(read_only(2, reassembler_copy, sizeof *reassembler_copy)), "in progress");
            if (have_frame) {
                CHECK(pw_reassembler_add(reassembler_copy, read_only(1, &last_frame, sizeof last_frame), &progress, &offset) ==
                              BTS &&
                          offset == 0,
                      "a fragment added to a reassembler never prepared");
            }
            offset = OFFSET_UNSET;
            CHECK(pw_reassembler_take_message(reassembler_copy, message_a, &offset) == BTS && offset == 0,
                  "a message taken from a reassembler never prepared");
            offset = OFFSET_UNSET;
            CHECK(pw_reassembler_give_up(reassembler_copy, &offset) == BTS && offset == 0,
                  "a reassembler never prepared gave up");
            CHECK(memcmp(before, reassembler_copy, sizeof *reassembler_copy) == 0, "a reassembler never prepared was written");
        }
    }
}

/* ---- Derived quantities, CRCs, names, NULLs -------------------------------------------------- */

static const size_t prescription_fields[] = {
    offsetof(pw_prescription_block, drug),  offsetof(pw_prescription_block, mode),
    offsetof(pw_prescription_block, step_count),
};
static const size_t refill_fields[] = {offsetof(pw_refill_confirmation, drug)};

static uint16_t payload_error(uint8_t type, const void *body, size_t size, uint32_t *offset)
{
    pw_message message;
    memset(&message, 0, sizeof message);
    message.type = type;
    memcpy(&message.body, body, size);
    return pw_message_encode(&message, out_prepare(OUT_REAL), OUT_REAL, NULL, offset);
}

static void op_derived(input *in)
{
    operation = "pw_low_reservoir_alarm_time";
    pw_prescription_block prescription;
    pw_refill_confirmation refill;
    if (have_message && last_message.type == PW_TYPE_PRESCRIPTION_BLOCK) prescription = last_message.body.prescription_block;
    else memset(&prescription, 0, sizeof prescription);
    if (have_message && last_message.type == PW_TYPE_REFILL_CONFIRMATION) refill = last_message.body.refill_confirmation;
    else memset(&refill, 0, sizeof refill);
    if (u8(in) % 2) {
        const uint8_t *bytes;
        size_t length = blob(in, sizeof refill, &bytes);
        memcpy(&refill, bytes, length);
    }
    mutate((uint8_t *)&prescription, sizeof prescription, prescription_fields, 3, in);
    mutate((uint8_t *)&refill, sizeof refill, refill_fields, 1, in);
    const pw_prescription_block *p = read_only(1, &prescription, sizeof prescription);
    const pw_refill_confirmation *r = read_only(2, &refill, sizeof refill);
    uint32_t expected_offset = OFFSET_UNSET;
    uint16_t expected = payload_error(PW_TYPE_PRESCRIPTION_BLOCK, &prescription, sizeof prescription, &expected_offset);
    if (expected == PW_OK) expected = payload_error(PW_TYPE_REFILL_CONFIRMATION, &refill, sizeof refill, &expected_offset);
    out_check(OUT_REAL);
    uint32_t alarm = 0, alarm_again = 1, offset = OFFSET_UNSET;
    uint16_t code = pw_low_reservoir_alarm_time(p, r, &alarm, &offset);
    CHECK(code == expected && (code == PW_OK || offset == expected_offset),
          "%s at %u, but pw_message_encode refuses with %s at %u", pw_error_name(code), offset, pw_error_name(expected),
          expected_offset);
    if (code == PW_OK) {
        CHECK(pw_low_reservoir_alarm_time(p, r, &alarm_again, NULL) == PW_OK && alarm == alarm_again, "a second call");
        CHECK(pw_low_reservoir_alarm_time(p, r, NULL, NULL) == PW_OK, "NULL outputs are allowed");
    }
    offset = OFFSET_UNSET;
    CHECK(pw_low_reservoir_alarm_time(NULL, r, &alarm, &offset) == BTS && offset == 0, "NULL prescription");
    offset = OFFSET_UNSET;
    uint16_t null_refill = pw_low_reservoir_alarm_time(p, NULL, &alarm, &offset);
    CHECK(null_refill == BTS || null_refill == payload_error(PW_TYPE_PRESCRIPTION_BLOCK, &prescription, sizeof prescription, NULL),
          "NULL refill: %s", pw_error_name(null_refill));
    out_check(OUT_REAL);
    offset = OFFSET_UNSET;
    CHECK(pw_daily_basal(NULL, NULL, NULL, &offset) == BTS && offset == 0, "NULL prescription");
}

NOT_COVERAGE static uint16_t crc16_bitwise(uint16_t crc, const uint8_t *bytes, size_t length)
{
    for (size_t i = 0; i < length; i++) {
        crc ^= (uint16_t)(bytes[i] << 8);
        for (int bit = 0; bit < 8; bit++) crc = crc & 0x8000u ? (uint16_t)(crc << 1 ^ 0x1021u) : (uint16_t)(crc << 1);
    }
    return crc;
}

NOT_COVERAGE static uint32_t crc32_bitwise(const uint8_t *bytes, size_t length)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < length; i++) {
        crc ^= bytes[i];
        for (int bit = 0; bit < 8; bit++) crc = crc & 1u ? crc >> 1 ^ 0xEDB88320u : crc >> 1;
    }
    return ~crc;
}

static void op_crc(input *in)
{
    operation = "pw_crc16 and pw_crc32";
    const uint8_t *bytes_rw;
    size_t length = blob(in, 4096, &bytes_rw);
    const uint8_t *bytes = read_only(0, bytes_rw, length);
    size_t split = length > 0 ? u16(in) % (length + 1) : 0;
    uint16_t crc16 = pw_crc16(bytes, length);
    uint32_t crc32 = pw_crc32(bytes, length);
    CHECK(pw_crc16_update(pw_crc16(bytes, split), bytes + split, length - split) == crc16, "CRC-16 continued");
    CHECK(pw_crc32_update(pw_crc32(bytes, split), bytes + split, length - split) == crc32, "CRC-32 continued");
    CHECK(pw_crc16_update(PW_CRC16_INITIAL, bytes, length) == crc16 && pw_crc32_update(0, bytes, length) == crc32,
          "a CRC from its start");
    if (length <= 300) {
        CHECK(crc16 == crc16_bitwise(0xFFFF, bytes, length), "CRC-16 differs from the polynomial, bit by bit");
        CHECK(crc32 == crc32_bitwise(bytes, length), "CRC-32 differs from the polynomial, bit by bit");
    }
    /* NULL and a size_t above PTRDIFF_MAX read as no bytes. */
    CHECK(pw_crc16(NULL, length) == 0xFFFF && pw_crc32(NULL, length) == 0, "NULL bytes");
    CHECK(pw_crc16(bytes, SIZE_MAX) == 0xFFFF && pw_crc32(bytes, SIZE_MAX) == 0, "SIZE_MAX bytes");
    CHECK(pw_crc16_update(crc16, NULL, 5) == crc16 && pw_crc32_update(crc32, NULL, 5) == crc32, "NULL update");
}

static void op_error_name(input *in)
{
    operation = "pw_error_name";
    uint16_t code = u16(in);
    if (u8(in) % 2) code %= 140;
    const char *name = pw_error_name(code);
    CHECK(name != NULL && memchr(name, 0, 64) != NULL, "no NUL-terminated name for %u", code);
    CHECK((strcmp(name, "UNKNOWN") == 0) == !is_error_code(code), "%u is named %s", code, name);
    CHECK(pw_error_name(code) == name, "a constant name");
}

static void op_nulls(input *in)
{
    operation = "NULL arguments";
    (void)in;
    uint32_t offset = OFFSET_UNSET;
    size_t written = WRITTEN_UNSET;
    uint8_t *out = out_prepare(OUT_REAL);
    CHECK(pw_message_encode(NULL, out, OUT_REAL, &written, &offset) == BTS && offset == 0, "encode NULL");
    offset = OFFSET_UNSET;
    CHECK(pw_message_digest(NULL, NULL, &offset) == BTS && offset == 0, "digest NULL");
    offset = OFFSET_UNSET;
    CHECK(pw_frame_encode(NULL, out, OUT_REAL, &written, &offset) == BTS && offset == 0, "frame encode NULL");
    offset = OFFSET_UNSET;
    CHECK(pw_message_encode_frames(NULL, 0, NULL, out, OUT_REAL, &written, &offset) == BTS && offset == 0, "frames NULL");
    offset = OFFSET_UNSET;
    CHECK(pw_log_record_encode(NULL, out, &offset) == BTS && offset == 0, "record NULL");
    out_check(0);
    offset = OFFSET_UNSET;
    CHECK(pw_log_reader_init(NULL, NULL, 0, 0, 0, &offset) == BTS && offset == 0, "reader NULL");
    CHECK(!pw_log_reader_next(NULL, item), "next NULL reader");
    CHECK(pw_scanner_init(NULL, NULL, 0) == BTS, "scanner NULL");
    CHECK(!pw_scanner_next(NULL, event), "next NULL scanner");
    pw_scanner_resynchronize(NULL, SIZE_MAX);
    /* NULL outputs the header allows: written, error_offset. */
    pw_message message;
    memset(&message, 0, sizeof message);
    message.type = PW_TYPE_INTERROGATION_REQUEST;
    CHECK(pw_message_encode(&message, out_prepare(OUT_REAL), OUT_REAL, NULL, NULL) == PW_OK, "NULL written");
    CHECK(pw_message_encode_frames(&message, 1, NULL, out_prepare(OUT_REAL), OUT_REAL, NULL, NULL) == PW_OK, "NULL written");
    out_check(OUT_REAL);
}

/* ---- The program ------------------------------------------------------------------------------- */

static void setup(void)
{
    for (int i = 0; i < SLOTS; i++) make_slot(&slots[i]);
    out_arena = malloc(OUT_REAL + GUARD);
    frame_a = malloc(sizeof *frame_a);
    frame_b = malloc(sizeof *frame_b);
    message_a = malloc(sizeof *message_a);
    message_b = malloc(sizeof *message_b);
    item = malloc(sizeof *item);
    event = malloc(sizeof *event);
    reassembler = malloc(sizeof *reassembler);
    reassembler_copy = malloc(sizeof *reassembler_copy);
    scratch_reassembler = malloc(sizeof *scratch_reassembler);
    scanner = malloc(sizeof *scanner);
    scanner_copy = malloc(sizeof *scanner_copy);
    reader = malloc(sizeof *reader);
    reader_copy = malloc(sizeof *reader_copy);
    CHECK(out_arena && frame_a && frame_b && message_a && message_b && item && event && reassembler &&
              reassembler_copy && scratch_reassembler && scanner && scanner_copy && reader && reader_copy,
          "malloc");
}

int pumpwire_capi_fuzz_one(const uint8_t *data, size_t size)
{
    static bool ready = false;
    if (!ready) {
        setup();
        ready = true;
    }
    input in = {data, size};
    have_frame = have_message = have_record = false;
    reassembler_ready = false;
    for (int step = 0; step < 24 && in.size > 0; step++) {
        switch (u8(&in) % 14) {
        case 0:
        case 1: op_frame_decode(&in); break;
        case 2: op_message_decode(&in); break;
        case 3:
        case 4: op_message_struct(&in); break;
        case 5: op_frame_struct(&in); break;
        case 6: op_log_record(&in); break;
        case 7: op_log_reader(&in); break;
        case 8: op_scanner(&in); break;
        case 9: op_reassembler(&in); break;
        case 10: op_unprepared_state(&in); break;
        case 11: op_derived(&in); break;
        case 12: op_crc(&in); break;
        default:
            if (u8(&in) % 2) op_error_name(&in);
            else op_nulls(&in);
            break;
        }
    }
    operation = "between inputs";
    return 0;
}
