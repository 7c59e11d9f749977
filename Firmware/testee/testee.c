/*
 * testee.c: the PumpWire C firmware testee.
 *
 * Speaks the testee protocol of spec/conformance.md section 2 on stdin/stdout through the
 * platform layer (Firmware/platform/platform.h), and answers every request with the C API of
 * PumpWireCore (Sources/CPumpWire/include/pumpwire.h). It holds no codec logic of its own: it
 * parses requests, runs the stream procedure of conformance.md 2.4.5 out of pw_scanner,
 * pw_frame_decode and pw_reassembler, and builds responses. Each handler mirrors the reference
 * testee (Sources/PumpWireConformance/ReferenceTestee.swift) and, for STREAM, the reference
 * stream reader (Sources/PumpWire/StreamReader.swift).
 *
 * No heap, no stdio. The only mutable state is the testee's own: the request and response
 * buffers, one pw_frame and one pw_message (about 1.3 KiB each, too big for a firmware stack),
 * the REASSEMBLER_* reassembler that lives between requests, and the STREAM request's own
 * reassembler (a stream is read with a fresh one, as the reference does, so a STREAM request
 * never disturbs the REASSEMBLER_* state). All of it is static, in .bss.
 *
 * Build-time settings (all optional):
 *   TESTEE_TARGET         string literal naming the target in HELLO ("host")
 *   TESTEE_MAX_MESSAGE    largest request body accepted, bytes (1 MiB + 64)
 *   TESTEE_MAX_RESPONSE   largest response body, bytes (enough for LOG over the largest request)
 *   TESTEE_MEASURE_STACK  measure the stack of every pw_* call, report it on stderr at the end
 *   TESTEE_STACK_DEPTH    bytes painted below the stack pointer for each measurement (8192)
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "platform.h"
#include "pumpwire.h"
#include "testee_wire.h"

/* ---- Settings -------------------------------------------------------------------------------- */

#ifndef TESTEE_TARGET
#define TESTEE_TARGET "host"
#endif

/* The corpus's largest request is a 4100-byte CRC request (vectors/corpus/crc.json); LOG images
   may go up to the protocol's limit, so the default leaves room for a 1 MiB image. */
#ifndef TESTEE_MAX_MESSAGE
#define TESTEE_MAX_MESSAGE (1048576ul + 64ul)
#endif

/* A LOG answer is at most 25 bytes per 20-byte slot plus two partial slots and the header:
   1.25 times the image and a little, so this never overflows for LOG. A STREAM answer of a
   stream made of nothing but sync words could reach 6 times its input; the corpus's streams
   are under 1 KiB. A response that does not fit is answered with RUNTIME_ERROR. */
#ifndef TESTEE_MAX_RESPONSE
#define TESTEE_MAX_RESPONSE (TESTEE_MAX_MESSAGE + TESTEE_MAX_MESSAGE / 4ul + 64ul)
#endif

#define TESTEE_PROTOCOL_LIMIT 16777216ul /* conformance.md 2.1: N is at most 16 MiB */

#if TESTEE_MAX_MESSAGE > TESTEE_PROTOCOL_LIMIT || TESTEE_MAX_RESPONSE > TESTEE_PROTOCOL_LIMIT
#error "TESTEE_MAX_MESSAGE and TESTEE_MAX_RESPONSE must not exceed the protocol's 16 MiB"
#endif
#if TESTEE_MAX_MESSAGE < 2ul || TESTEE_MAX_RESPONSE < 64ul
#error "TESTEE_MAX_MESSAGE or TESTEE_MAX_RESPONSE is too small to speak the protocol"
#endif

#ifndef TESTEE_STACK_DEPTH
#define TESTEE_STACK_DEPTH 8192ul
#endif

/* ---- Protocol constants (conformance.md 2.2 to 2.4) ---------------------------------------- */

#define PROTOCOL_VERSION 1u

enum request_code {
    REQ_HELLO = 0x00,
    REQ_DECODE_FRAME = 0x01,
    REQ_DECODE_FIELDS = 0x02,
    REQ_CRC16 = 0x03,
    REQ_CRC32 = 0x04,
    REQ_REASSEMBLER_RESET = 0x05,
    REQ_REASSEMBLER_ADD = 0x06,
    REQ_REASSEMBLER_GIVE_UP = 0x07,
    REQ_STREAM = 0x08,
    REQ_DERIVE = 0x09,
    REQ_SESSION = 0x0A,
    REQ_DUMP = 0x0B,
    REQ_LOG = 0x0C
};

enum response_status {
    STATUS_OK = 0,
    STATUS_REJECTED = 1,
    STATUS_SKIPPED = 2,
    STATUS_RUNTIME_ERROR = 3
};

/* Capabilities (2.3): decode, crc, reassembly, stream, derived, log. Not session (11.3 session
   checking is a programmer-side feature), fields (needs the JSON view of section 12) or dump
   (includes zlib inflate, which the firmware core does not have): see README.md. */
#define CAP_DECODE (1ul << 0)
#define CAP_CRC (1ul << 1)
#define CAP_REASSEMBLY (1ul << 2)
#define CAP_STREAM (1ul << 3)
#define CAP_DERIVED (1ul << 4)
#define CAP_LOG (1ul << 8)
#define TESTEE_CAPABILITIES \
    ((uint32_t)(CAP_DECODE | CAP_CRC | CAP_REASSEMBLY | CAP_STREAM | CAP_DERIVED | CAP_LOG))

static const char k_testee_name[] = "PumpWire C firmware testee 1 (" TESTEE_TARGET ")";

/* STREAM item kinds (2.4.5) and LOG item kinds (2.4.9). */
enum { STREAM_FRAME = 0, STREAM_MESSAGE = 1, STREAM_REJECTION = 2 };
enum { LOG_ITEM_RECORD = 0, LOG_ITEM_ERASED = 1, LOG_ITEM_REJECTED = 2 };
enum { OFFSET_IN_FRAME = 0, OFFSET_IN_PAYLOAD = 1 };

/* ---- Stack measurement ------------------------------------------------------------------------ */

/* Every pw_* function the handlers call, with the name the stack report prints. */
#define TESTEE_API_FUNCTIONS(X)                                          \
    X(FN_FRAME_DECODE, "pw_frame_decode")                               \
    X(FN_FRAME_ENCODE, "pw_frame_encode")                               \
    X(FN_MESSAGE_ENCODE, "pw_message_encode")                           \
    X(FN_CRC16, "pw_crc16")                                             \
    X(FN_CRC32, "pw_crc32")                                             \
    X(FN_REASSEMBLER_INIT, "pw_reassembler_init")                       \
    X(FN_REASSEMBLER_ADD, "pw_reassembler_add")                         \
    X(FN_REASSEMBLER_TAKE_MESSAGE, "pw_reassembler_take_message")       \
    X(FN_REASSEMBLER_GIVE_UP, "pw_reassembler_give_up")                 \
    X(FN_REASSEMBLER_IN_PROGRESS, "pw_reassembler_in_progress")         \
    X(FN_SCANNER_INIT, "pw_scanner_init")                               \
    X(FN_SCANNER_NEXT, "pw_scanner_next")                               \
    X(FN_SCANNER_RESYNCHRONIZE, "pw_scanner_resynchronize")             \
    X(FN_DAILY_BASAL, "pw_daily_basal")                                 \
    X(FN_LOW_RESERVOIR_ALARM_TIME, "pw_low_reservoir_alarm_time")       \
    X(FN_LOG_READER_INIT, "pw_log_reader_init")                         \
    X(FN_LOG_READER_NEXT, "pw_log_reader_next")                         \
    X(FN_LOG_RECORD_ENCODE, "pw_log_record_encode")

#define TESTEE_FN_ID(id, name) id,
enum api_function { TESTEE_API_FUNCTIONS(TESTEE_FN_ID) FN_COUNT };
#undef TESTEE_FN_ID

#ifdef TESTEE_MEASURE_STACK

#define TESTEE_FN_NAME(id, name) name,
static const char *const k_function_names[FN_COUNT] = { TESTEE_API_FUNCTIONS(TESTEE_FN_NAME) };
#undef TESTEE_FN_NAME

static unsigned long g_stack_max[FN_COUNT];
static bool g_stack_called[FN_COUNT];

static void stack_record(enum api_function fn, unsigned long used)
{
    g_stack_called[fn] = true;
    if (used > g_stack_max[fn]) g_stack_max[fn] = used;
}

/* Runs `statement` (one pw_* call, usually assigned to a local) with the stack painted below the
   caller's stack pointer, and records how deep the call went. */
#define MEASURED(fn, statement)                                                  \
    do {                                                                         \
        uintptr_t measured_sp_ = platform_stack_pointer();                       \
        platform_stack_paint(TESTEE_STACK_DEPTH);                                \
        statement;                                                               \
        stack_record((fn), platform_stack_used(measured_sp_, TESTEE_STACK_DEPTH)); \
    } while (0)

#else

#define MEASURED(fn, statement) \
    do {                        \
        statement;              \
    } while (0)

#endif

/* ---- Buffers and state (static: none of this belongs on a firmware stack) ---------------------- */

static uint8_t g_request[TESTEE_MAX_MESSAGE] PLATFORM_BIGBUF;
/* The response: 4 bytes for its length prefix, then the body, so it goes out in one write. */
static uint8_t g_response[4 + TESTEE_MAX_RESPONSE] PLATFORM_BIGBUF;

static struct {
    size_t length;  /* bytes of body written */
    bool overflow;  /* the body did not fit: the response becomes a RUNTIME_ERROR */
} g_out;

static pw_frame g_frame;
static pw_message g_message;
static pw_reassembler g_reassembler;        /* REASSEMBLER_RESET / _ADD / _GIVE_UP (2.4.4) */
static pw_reassembler g_stream_reassembler; /* STREAM (2.4.5): fresh for each request */

/* ---- Response building ------------------------------------------------------------------------ */

#define RESPONSE_BODY (g_response + 4)

static void out_begin(uint8_t status)
{
    g_out.length = 0;
    g_out.overflow = false;
    RESPONSE_BODY[0] = status;
    g_out.length = 1;
}

static size_t out_room(void)
{
    return g_out.overflow ? 0 : (size_t)TESTEE_MAX_RESPONSE - g_out.length;
}

/* n bytes at the end of the body, or NULL (and the response overflows) if they do not fit. */
static uint8_t *out_reserve(size_t n)
{
    if (n > out_room()) {
        g_out.overflow = true;
        return NULL;
    }
    uint8_t *p = RESPONSE_BODY + g_out.length;
    g_out.length += n;
    return p;
}

static void out_u8(uint8_t v)
{
    uint8_t *p = out_reserve(1);
    if (p != NULL) p[0] = v;
}

static void out_u16(uint16_t v)
{
    uint8_t *p = out_reserve(2);
    if (p != NULL) wire_put_u16(p, v);
}

static void out_u32(uint32_t v)
{
    uint8_t *p = out_reserve(4);
    if (p != NULL) wire_put_u32(p, v);
}

static void out_u64(uint64_t v)
{
    uint8_t *p = out_reserve(8);
    if (p != NULL) wire_put_u64(p, v);
}

static void out_bytes(const void *bytes, size_t n)
{
    uint8_t *p = out_reserve(n);
    if (p == NULL) return;
    const uint8_t *s = (const uint8_t *)bytes;
    for (size_t i = 0; i < n; i++) p[i] = s[i];
}

/* Overwrites a u16 or u32 written earlier at body position `at` (a count or a length). */
static void out_patch_u16(size_t at, uint16_t v)
{
    if (!g_out.overflow) wire_put_u16(RESPONSE_BODY + at, v);
}

static void out_patch_u32(size_t at, uint32_t v)
{
    if (!g_out.overflow) wire_put_u32(RESPONSE_BODY + at, v);
}

static size_t cstring_length(const char *s)
{
    size_t n = 0;
    while (s[n] != '\0') n++;
    return n;
}

static void respond_rejected(uint16_t code, uint32_t offset)
{
    out_begin(STATUS_REJECTED);
    out_u16(code);
    out_u32(offset);
}

static void respond_runtime_error(const char *message)
{
    out_begin(STATUS_RUNTIME_ERROR);
    out_bytes(message, cstring_length(message));
}

static void respond_skipped(void)
{
    out_begin(STATUS_SKIPPED);
}

/* Appends `frame` re-encoded canonically. On success *written is its length; on
   BUFFER_TOO_SMALL the response overflows. */
static uint16_t out_encoded_frame(const pw_frame *frame, size_t *written, uint32_t *error_offset)
{
    uint16_t err = PW_ERR_BUFFER_TOO_SMALL;
    size_t room = out_room();
    uint8_t *tail = RESPONSE_BODY + g_out.length;
    *written = 0;
    if (!g_out.overflow) MEASURED(FN_FRAME_ENCODE, err = pw_frame_encode(frame, tail, room, written, error_offset));
    if (err == PW_OK && *written > room) err = PW_ERR_BUFFER_TOO_SMALL; /* never, but never trust a length */
    if (err == PW_ERR_BUFFER_TOO_SMALL) g_out.overflow = true;
    if (err != PW_OK) {
        *written = 0;
        return err;
    }
    g_out.length += *written;
    return PW_OK;
}

/* Appends the canonical payload of `message`, as out_encoded_frame does for a frame. */
static uint16_t out_encoded_payload(const pw_message *message, size_t *written, uint32_t *error_offset)
{
    uint16_t err = PW_ERR_BUFFER_TOO_SMALL;
    size_t room = out_room();
    uint8_t *tail = RESPONSE_BODY + g_out.length;
    *written = 0;
    if (!g_out.overflow) MEASURED(FN_MESSAGE_ENCODE, err = pw_message_encode(message, tail, room, written, error_offset));
    if (err == PW_OK && *written > room) err = PW_ERR_BUFFER_TOO_SMALL;
    if (err == PW_ERR_BUFFER_TOO_SMALL) g_out.overflow = true;
    if (err != PW_OK) {
        *written = 0;
        return err;
    }
    g_out.length += *written;
    return PW_OK;
}

/* ---- DECODE_FRAME (2.4.1) ----------------------------------------------------------------------- */

/* Decodes exactly one frame into g_frame (4.2, steps 1 to 10). */
static uint16_t decode_frame(const uint8_t *bytes, size_t length, uint32_t *error_offset)
{
    uint16_t err;
    *error_offset = 0;
    MEASURED(FN_FRAME_DECODE, err = pw_frame_decode(bytes, length, &g_frame, error_offset));
    return err;
}

static void handle_decode_frame(const uint8_t *args, size_t length)
{
    uint32_t offset;
    size_t written;
    uint16_t err = decode_frame(args, length, &offset);
    if (err != PW_OK) {
        respond_rejected(err, offset);
        return;
    }
    out_begin(STATUS_OK);
    err = out_encoded_frame(&g_frame, &written, &offset);
    /* The reference answers an encoding failure as a rejection (it cannot happen to a frame that
       decoded: PW-ENC-5). A full response buffer is the testee's problem, not the frame's. */
    if (err != PW_OK && !g_out.overflow) respond_rejected(err, offset);
}

/* ---- CRC16, CRC32 (2.4.3) ----------------------------------------------------------------------- */

#ifdef TESTEE_SWIFT_TRAP
/* The trap variant (testee-trap.elf): a CRC16 request first calls a Swift function that overflows,
   so CI can see a Swift trap end QEMU with a non-zero status and the runner report a crash. */
extern uint8_t testee_swift_trap(uint8_t value);
#endif

static void handle_crc16(const uint8_t *args, size_t length)
{
#ifdef TESTEE_SWIFT_TRAP
    if (testee_swift_trap((uint8_t)length) == 0) return;
#endif
    uint16_t crc;
    MEASURED(FN_CRC16, crc = pw_crc16(args, length));
    out_begin(STATUS_OK);
    out_u16(crc);
}

static void handle_crc32(const uint8_t *args, size_t length)
{
    uint32_t crc;
    MEASURED(FN_CRC32, crc = pw_crc32(args, length));
    out_begin(STATUS_OK);
    out_u32(crc);
}

/* ---- REASSEMBLER_RESET, _ADD, _GIVE_UP (2.4.4) ------------------------------------------------ */

static void handle_reassembler_reset(void)
{
    MEASURED(FN_REASSEMBLER_INIT, pw_reassembler_init(&g_reassembler));
    out_begin(STATUS_OK);
}

static void handle_reassembler_add(const uint8_t *args, size_t length)
{
    uint32_t offset;
    uint8_t progress = 0;
    size_t written;
    uint16_t err = decode_frame(args, length, &offset);
    if (err != PW_OK) {
        respond_rejected(err, offset);
        return;
    }
    if ((g_frame.flags & PW_FRAME_FRAGMENT) == 0) {
        respond_rejected(PW_ERR_NON_CANONICAL, 4);
        return;
    }
    offset = 0;
    MEASURED(FN_REASSEMBLER_ADD, err = pw_reassembler_add(&g_reassembler, &g_frame, &progress, &offset));
    if (err != PW_OK) {
        respond_rejected(err, offset); /* FRAGMENT_CONFLICT or _INTERLEAVED, frame offsets */
        return;
    }
    switch (progress) {
    case PW_REASSEMBLY_ACCEPTED:
    case PW_REASSEMBLY_DUPLICATE:
        out_begin(STATUS_OK);
        out_u8(progress);
        return;
    case PW_REASSEMBLY_COMPLETE:
        break;
    default:
        respond_runtime_error("pw_reassembler_add: unknown progress");
        return;
    }
    offset = 0;
    MEASURED(FN_REASSEMBLER_TAKE_MESSAGE,
             err = pw_reassembler_take_message(&g_reassembler, &g_message, &offset));
    if (err != PW_OK) {
        respond_rejected(err, offset); /* PW-FRAG-12: payload offsets; the reassembler is empty */
        return;
    }
    out_begin(STATUS_OK);
    out_u8(PW_REASSEMBLY_COMPLETE);
    out_u8(g_message.type);
    err = out_encoded_payload(&g_message, &written, &offset);
    if (err != PW_OK && !g_out.overflow) respond_rejected(err, offset);
}

static void handle_reassembler_give_up(void)
{
    uint32_t offset = 0;
    uint16_t err;
    MEASURED(FN_REASSEMBLER_GIVE_UP, err = pw_reassembler_give_up(&g_reassembler, &offset));
    if (err != PW_OK) {
        respond_rejected(err, offset); /* FRAGMENT_MISSING, PW-FRAG-11 */
        return;
    }
    out_begin(STATUS_OK);
}

/* ---- STREAM (2.4.5) ----------------------------------------------------------------------------- */

/* What one STREAM request keeps while it reads (a few bytes, on the stack). */
struct stream_state {
    uint32_t count;          /* items written, patched into the answer at the end */
    uint32_t first_fragment; /* stream offset of the first fragment received of the message */
};

static void stream_rejection(struct stream_state *stream, uint32_t stream_offset, uint16_t code,
                             uint32_t offset, uint8_t offset_kind)
{
    out_u8(STREAM_REJECTION);
    out_u32(stream_offset);
    out_u16(code);
    out_u32(offset);
    out_u8(offset_kind);
    stream->count++;
}

/* A frame that decoded, in g_frame: its canonical bytes (none if it does not re-encode, as the
   reference's `(try? frame.encoded()) ?? []`). */
static void stream_frame(struct stream_state *stream, uint32_t stream_offset)
{
    size_t written;
    uint32_t offset;
    out_u8(STREAM_FRAME);
    out_u32(stream_offset);
    size_t length_at = g_out.length;
    out_u16(0);
    if (out_encoded_frame(&g_frame, &written, &offset) == PW_OK) out_patch_u16(length_at, (uint16_t)written);
    stream->count++;
}

/* A message reassembled from fragments, in g_message: type code and canonical payload. */
static void stream_message(struct stream_state *stream, uint32_t stream_offset)
{
    size_t written;
    uint32_t offset;
    out_u8(STREAM_MESSAGE);
    out_u32(stream_offset);
    out_u8(g_message.type);
    size_t length_at = g_out.length;
    out_u16(0);
    if (out_encoded_payload(&g_message, &written, &offset) == PW_OK) out_patch_u16(length_at, (uint16_t)written);
    stream->count++;
}

/* The message in progress given up (5.4, PW-FRAG-11): FRAGMENT_MISSING at its first fragment. */
static void stream_give_up(struct stream_state *stream)
{
    uint32_t offset = 0;
    uint16_t err;
    MEASURED(FN_REASSEMBLER_GIVE_UP, err = pw_reassembler_give_up(&g_stream_reassembler, &offset));
    if (err != PW_OK) stream_rejection(stream, stream->first_fragment, err, offset, OFFSET_IN_PAYLOAD);
}

/* A fragment frame that decoded (in g_frame), at stream offset `start`: StreamReader.reassemble. */
static void stream_reassemble(struct stream_state *stream, uint32_t start)
{
    uint32_t offset = 0;
    uint8_t progress = 0;
    uint16_t err;
    bool in_progress;

    MEASURED(FN_REASSEMBLER_IN_PROGRESS, in_progress = pw_reassembler_in_progress(&g_stream_reassembler));
    if (!in_progress) stream->first_fragment = start;
    MEASURED(FN_REASSEMBLER_ADD,
             err = pw_reassembler_add(&g_stream_reassembler, &g_frame, &progress, &offset));
    if (err == PW_ERR_FRAGMENT_INTERLEAVED) {
        /* 5.4: report the message in progress as abandoned, start the new one with this fragment.
           FRAGMENT_INTERLEAVED itself is not an item. */
        stream_give_up(stream);
        stream->first_fragment = start;
        offset = 0;
        MEASURED(FN_REASSEMBLER_ADD,
                 err = pw_reassembler_add(&g_stream_reassembler, &g_frame, &progress, &offset));
        if (err != PW_OK) progress = PW_REASSEMBLY_DUPLICATE; /* as the reference: cannot happen */
    } else if (err != PW_OK) {
        /* FRAGMENT_CONFLICT: a rejection at the frame's start, frame offset; go on after it. */
        stream_rejection(stream, start, err, offset, OFFSET_IN_FRAME);
        return;
    }
    if (progress != PW_REASSEMBLY_COMPLETE) return;
    offset = 0;
    MEASURED(FN_REASSEMBLER_TAKE_MESSAGE,
             err = pw_reassembler_take_message(&g_stream_reassembler, &g_message, &offset));
    if (err != PW_OK) {
        stream_rejection(stream, stream->first_fragment, err, offset, OFFSET_IN_PAYLOAD); /* PW-FRAG-12 */
        return;
    }
    stream_message(stream, stream->first_fragment);
}

static void handle_stream(const uint8_t *args, size_t length)
{
    pw_scanner scanner;
    pw_scan_event event;
    bool more;
    size_t events = 0;
    struct stream_state state = { 0, 0 };
    struct stream_state *stream = &state;

    out_begin(STATUS_OK);
    size_t count_at = g_out.length;
    out_u32(0);

    MEASURED(FN_REASSEMBLER_INIT, pw_reassembler_init(&g_stream_reassembler));
    MEASURED(FN_SCANNER_INIT, pw_scanner_init(&scanner, args, length));
    for (;;) {
        MEASURED(FN_SCANNER_NEXT, more = pw_scanner_next(&scanner, &event));
        if (!more || g_out.overflow) break;
        /* Every event moves the scanner on by at least one byte: more events than bytes is a
           scanner that does not advance, which would otherwise end only when the buffer fills. */
        if (++events > length) {
            respond_runtime_error("pw_scanner_next does not advance");
            return;
        }
        if (event.start >= length || (event.kind == PW_SCAN_FRAME && event.length > length - event.start)) {
            respond_runtime_error("pw_scanner_next: event outside the stream");
            return;
        }
        /* The stream is at most TESTEE_MAX_MESSAGE bytes, so its offsets fit the protocol's u32. */
        uint32_t start = (uint32_t)event.start;
        if (event.kind == PW_SCAN_REJECTED) {
            stream_rejection(stream, start, event.error_code, event.error_offset, OFFSET_IN_FRAME);
            continue;
        }
        if (event.kind != PW_SCAN_FRAME) {
            respond_runtime_error("pw_scanner_next: unknown event kind");
            return;
        }
        /* The frame passed steps 1 to 8; decoding it alone adds the fragment header or the
           payload (steps 9 and 10). */
        uint32_t offset;
        uint16_t err = decode_frame(args + event.start, event.length, &offset);
        if (err != PW_OK) {
            /* A rejection like any other: search for the next sync word after its start (4.3 step 3). */
            stream_rejection(stream, start, err, offset, OFFSET_IN_FRAME);
            MEASURED(FN_SCANNER_RESYNCHRONIZE, pw_scanner_resynchronize(&scanner, event.start));
            continue;
        }
        stream_frame(stream, start);
        if ((g_frame.flags & PW_FRAME_FRAGMENT) != 0) stream_reassemble(stream, start);
    }
    stream_give_up(stream); /* the end of the stream: a message still in progress is missing fragments */
    out_patch_u32(count_at, stream->count);
}

/* ---- DERIVE (2.4.6) ----------------------------------------------------------------------------- */

static void handle_derive(const uint8_t *args, size_t length)
{
    /* u16 length and a prescriptionBlock frame, u16 length and a refillConfirmation frame. */
    if (length < 2) {
        respond_runtime_error("malformed DERIVE request");
        return;
    }
    size_t rx_length = wire_get_u16(args);
    const uint8_t *rx = args + 2;
    size_t at = 2;
    if (length - at < rx_length) {
        respond_runtime_error("malformed DERIVE request");
        return;
    }
    at += rx_length;
    if (length - at < 2) {
        respond_runtime_error("malformed DERIVE request");
        return;
    }
    size_t refill_length = wire_get_u16(args + at);
    at += 2;
    const uint8_t *refill = args + at;
    if (length - at != refill_length) {
        respond_runtime_error("malformed DERIVE request");
        return;
    }

    uint32_t offset;
    uint16_t err = decode_frame(rx, rx_length, &offset);
    if (err != PW_OK) {
        respond_rejected(err, offset);
        return;
    }
    if ((g_frame.flags & PW_FRAME_FRAGMENT) != 0 || g_frame.message.type != PW_TYPE_PRESCRIPTION_BLOCK) {
        respond_rejected(PW_ERR_FIELD_OUT_OF_RANGE, 3);
        return;
    }
    /* Keep the prescription while the refill frame is decoded into g_frame. */
    g_message.type = PW_TYPE_PRESCRIPTION_BLOCK;
    g_message.body.prescription_block = g_frame.message.body.prescription_block;

    err = decode_frame(refill, refill_length, &offset);
    if (err != PW_OK) {
        respond_rejected(err, offset);
        return;
    }
    if ((g_frame.flags & PW_FRAME_FRAGMENT) != 0 || g_frame.message.type != PW_TYPE_REFILL_CONFIRMATION) {
        respond_rejected(PW_ERR_FIELD_OUT_OF_RANGE, 3);
        return;
    }

    uint64_t volume = 0, dose = 0;
    uint32_t alarm_time = 0;
    offset = 0;
    MEASURED(FN_DAILY_BASAL,
             err = pw_daily_basal(&g_message.body.prescription_block, &volume, &dose, &offset));
    if (err == PW_OK) {
        offset = 0;
        MEASURED(FN_LOW_RESERVOIR_ALARM_TIME,
                 err = pw_low_reservoir_alarm_time(&g_message.body.prescription_block,
                                                   &g_frame.message.body.refill_confirmation,
                                                   &alarm_time, &offset));
    }
    /* Both decoded, so neither can fail; if the library says otherwise, pass its answer on. */
    if (err != PW_OK) {
        respond_rejected(err, offset);
        return;
    }
    out_begin(STATUS_OK);
    out_u64(volume);     /* D2, nL/day */
    out_u64(dose);       /* D3, ng/day */
    out_u32(alarm_time); /* D5 */
}

/* ---- LOG (2.4.9) --------------------------------------------------------------------------------- */

static void handle_log(const uint8_t *args, size_t length)
{
    pw_log_reader reader;
    pw_log_item item;
    bool more;
    uint16_t err;
    size_t items = 0;

    if (length < 5) {
        respond_runtime_error("malformed LOG request: no region and regionOffset");
        return;
    }
    uint8_t region = args[0];
    uint32_t region_offset = wire_get_u32(args + 1);
    const uint8_t *image = args + 5;
    size_t image_length = length - 5;

    /* Only the log regions hold records (9.7): rawAddress, or a value not listed, is refused. The
       library's region 0 ("every log region") is not a wire value. */
    uint32_t init_offset = 0;
    if (region == 0) { /* "every log region" is the library's, not a wire value */
        respond_rejected(PW_ERR_FIELD_OUT_OF_RANGE, 0);
        return;
    }
    MEASURED(FN_LOG_READER_INIT,
             err = pw_log_reader_init(&reader, image, image_length, region, region_offset, &init_offset));
    if (err != PW_OK) { /* rawAddress and unlisted regions hold no records */
        respond_rejected(err, init_offset);
        return;
    }

    out_begin(STATUS_OK);
    size_t count_at = g_out.length;
    out_u32(0);
    uint32_t count = 0;
    for (;;) {
        MEASURED(FN_LOG_READER_NEXT, more = pw_log_reader_next(&reader, &item));
        if (!more || g_out.overflow) break;
        if (++items > image_length) {
            respond_runtime_error("pw_log_reader_next does not advance");
            return;
        }
        switch (item.kind) {
        case PW_LOG_RECORD: {
            out_u8(LOG_ITEM_RECORD);
            out_u32(item.offset);
            uint8_t *record = out_reserve(PW_LOG_RECORD_SIZE);
            if (record != NULL) {
                uint32_t offset = 0;
                MEASURED(FN_LOG_RECORD_ENCODE, err = pw_log_record_encode(&item.record, record, &offset));
                /* As the reference's `(try? record.encoded()) ?? []`: nothing if it does not
                   re-encode (it cannot: it decoded). */
                if (err != PW_OK) g_out.length -= PW_LOG_RECORD_SIZE;
            }
            break;
        }
        case PW_LOG_ERASED:
            out_u8(LOG_ITEM_ERASED);
            out_u32(item.offset);
            out_u32(item.erased_slots);
            break;
        case PW_LOG_REJECTED:
            out_u8(LOG_ITEM_REJECTED);
            out_u32(item.offset);
            out_u16(item.error_code);
            out_u32(item.error_offset);
            break;
        default:
            respond_runtime_error("pw_log_reader_next: unknown item kind");
            return;
        }
        count++;
    }
    out_patch_u32(count_at, count);
}

/* ---- HELLO (2.3) and dispatch -------------------------------------------------------------------- */

static void handle_hello(const uint8_t *args, size_t length)
{
    if (length != 1) {
        respond_runtime_error("malformed HELLO request");
        return;
    }
    if (args[0] != PROTOCOL_VERSION) {
        respond_runtime_error("protocol version unsupported");
        return;
    }
    out_begin(STATUS_OK);
    out_u8(PROTOCOL_VERSION);
    out_u32(TESTEE_CAPABILITIES);
    out_bytes(k_testee_name, sizeof k_testee_name - 1);
}

static void dispatch(const uint8_t *body, size_t length)
{
    if (length == 0) {
        respond_runtime_error("empty request body");
        return;
    }
    const uint8_t *args = body + 1;
    size_t n = length - 1;
    switch (body[0]) {
    case REQ_HELLO: handle_hello(args, n); break;
    case REQ_DECODE_FRAME: handle_decode_frame(args, n); break;
    case REQ_CRC16: handle_crc16(args, n); break;
    case REQ_CRC32: handle_crc32(args, n); break;
    case REQ_REASSEMBLER_RESET:
        if (n != 0) respond_runtime_error("malformed REASSEMBLER_RESET request");
        else handle_reassembler_reset();
        break;
    case REQ_REASSEMBLER_ADD: handle_reassembler_add(args, n); break;
    case REQ_REASSEMBLER_GIVE_UP:
        if (n != 0) respond_runtime_error("malformed REASSEMBLER_GIVE_UP request");
        else handle_reassembler_give_up();
        break;
    case REQ_STREAM: handle_stream(args, n); break;
    case REQ_DERIVE: handle_derive(args, n); break;
    case REQ_LOG: handle_log(args, n); break;
    case REQ_DECODE_FIELDS: /* capability `fields`: needs the JSON view (section 12) */
    case REQ_SESSION:       /* capability `session`: a programmer's session checker (11.3) */
    case REQ_DUMP:          /* capability `dump`: includes zlib inflate (13.1) */
    default:
        respond_skipped();
        break;
    }
}

/* ---- Transport (2.1) ----------------------------------------------------------------------------- */

enum read_result { READ_OK, READ_END_AT_START, READ_END_IN_MIDDLE };

/* Reads exactly n bytes from stdin, looping on partial reads. */
static enum read_result read_exact(uint8_t *buf, size_t n)
{
    size_t done = 0;
    while (done < n) {
        long got = platform_read(PLATFORM_STDIN, buf + done, (unsigned long)(n - done));
        if (got < 0) return READ_END_IN_MIDDLE; /* an error: never a clean end */
        if (got == 0) return done == 0 ? READ_END_AT_START : READ_END_IN_MIDDLE;
        if ((unsigned long)got > (unsigned long)(n - done)) return READ_END_IN_MIDDLE;
        done += (size_t)got;
    }
    return READ_OK;
}

#ifdef TESTEE_MEASURE_STACK
static void print_stack_line(const char *name, unsigned long bytes)
{
    char line[80];
    char digits[24];
    size_t n = 0, d = 0;
    const char *prefix = "stack ";
    while (*prefix != '\0' && n < sizeof line - 1) line[n++] = *prefix++;
    while (*name != '\0' && n < sizeof line - 1) line[n++] = *name++;
    if (n < sizeof line - 1) line[n++] = ' ';
    do {
        digits[d++] = (char)('0' + (int)(bytes % 10u));
        bytes /= 10u;
    } while (bytes != 0 && d < sizeof digits);
    while (d > 0 && n < sizeof line - 2) line[n++] = digits[--d];
    line[n++] = '\n';
    line[n] = '\0';
    platform_stderr_print(line);
}

/* The stack report: one line per pw_* function called, then the peak. */
static void print_stack_report(void)
{
    unsigned long peak = 0;
    for (int fn = 0; fn < FN_COUNT; fn++) {
        if (!g_stack_called[fn]) continue;
        print_stack_line(k_function_names[fn], g_stack_max[fn]);
        if (g_stack_max[fn] > peak) peak = g_stack_max[fn];
    }
    print_stack_line("peak", peak);
}
#endif

static _Noreturn void finish(int status)
{
#ifdef TESTEE_MEASURE_STACK
    print_stack_report();
#endif
    platform_exit(status);
}

static void send_response(void)
{
    if (g_out.overflow) respond_runtime_error("response larger than TESTEE_MAX_RESPONSE");
    wire_put_u32(g_response, (uint32_t)g_out.length);
    unsigned long total = 4ul + (unsigned long)g_out.length;
    if (platform_write(PLATFORM_STDOUT, g_response, total) != (long)total) {
        platform_stderr_print("testee: cannot write the response\n");
        finish(1);
    }
}

/* A request above TESTEE_MAX_MESSAGE: read it to its end, so the next request is found. */
static bool discard_request(uint32_t length)
{
    uint32_t left = length;
    while (left > 0) {
        size_t chunk = left < (uint32_t)sizeof g_request ? (size_t)left : sizeof g_request;
        if (read_exact(g_request, chunk) != READ_OK) return false;
        left -= (uint32_t)chunk;
    }
    return true;
}

int main(void)
{
    platform_init();
    MEASURED(FN_REASSEMBLER_INIT, pw_reassembler_init(&g_reassembler));
    MEASURED(FN_REASSEMBLER_INIT, pw_reassembler_init(&g_stream_reassembler));
    for (;;) {
        uint8_t header[4];
        enum read_result r = read_exact(header, sizeof header);
        if (r == READ_END_AT_START) finish(0); /* stdin ended between requests */
        if (r != READ_OK) {
            platform_stderr_print("testee: input ended inside a message length\n");
            finish(1);
        }
        uint32_t length = wire_get_u32(header);
        if (length > TESTEE_MAX_MESSAGE) {
            if (!discard_request(length)) {
                platform_stderr_print("testee: input ended inside a request\n");
                finish(1);
            }
            respond_runtime_error("request larger than TESTEE_MAX_MESSAGE");
        } else {
            if (read_exact(g_request, (size_t)length) != READ_OK) {
                platform_stderr_print("testee: input ended inside a request\n");
                finish(1);
            }
            dispatch(g_request, (size_t)length);
        }
        send_response();
    }
}
