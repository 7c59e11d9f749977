/*
 * testee.c: the PumpWire C firmware testee.
 *
 * Speaks the testee protocol of spec/conformance.md section 2 on stdin/stdout through the
 * platform layer (Firmware/platform/platform.h), and answers every request with the C API of
 * PumpWireCore (Sources/CPumpWire/include/pumpwire.h). It holds no codec logic of its own: it
 * parses requests, runs the stream procedure of conformance.md 2.4.5 out of pw_scanner,
 * pw_frame_decode and pw_reassembler, writes DECODE_FIELDS's flattened JSON view (2.4.2) from the
 * decoded structs, and builds responses. Each handler mirrors the reference testee
 * (Sources/PumpWireConformance/ReferenceTestee.swift) and, for STREAM, the reference stream reader
 * (Sources/PumpWire/StreamReader.swift). The protocol's edges are answered as conformance.md 2.7
 * says. The secure requests (2.4.10) run through pumpwire.h's pw_handshake, pw_sealed_channel and
 * pw_secure_pump with the libsodium provider (Firmware/crypto/sodium_provider.h), the pump hooks
 * (2.4.11) through pw_pump, plain or with the same provider.
 *
 * No heap, no stdio. The only mutable state is the testee's own: the request and response
 * buffers, one pw_frame and one pw_message (about 1.3 KiB each, too big for a firmware stack),
 * the REASSEMBLER_* reassembler that lives between requests, and the STREAM request's own
 * reassembler (a stream is read with a fresh one, as the reference does, so a STREAM request
 * never disturbs the REASSEMBLER_* state), the secure requests' handshake and channels
 * (g_secure), the secure pump of PUMP_BEGIN and PUMP_RECEIVE (g_pump), and the pump of the pump
 * hooks (2.4.11: g_hooks, through pw_pump). All of it is static, in .bss.
 *
 * Build-time settings (all optional):
 *   TESTEE_TARGET         string literal naming the target in HELLO ("host")
 *   TESTEE_MAX_MESSAGE    largest request body accepted, bytes (1 MiB + 64)
 *   TESTEE_MAX_RESPONSE   largest response body, bytes (enough for LOG over the largest request)
 *   TESTEE_MEASURE_STACK  measure the stack of every pw_* call, report it on stderr at the end
 *   TESTEE_STACK_DEPTH    bytes painted below the stack pointer for each measurement (16384)
 *   TESTEE_SECURE         1: declare `secure` and link the provider (default); 0: neither
 *   TESTEE_SECURE_PUMP    1: PUMP_BEGIN and PUMP_RECEIVE through pw_secure_pump (with TESTEE_SECURE);
 *                         0: SKIPPED (only to measure what the pump adds: `secure` is then incomplete)
 *   TESTEE_PUMP           1: declare `pump` and answer PUMP_RESET to PUMP_READ_MEMORY through pw_pump
 *                         (default with TESTEE_SECURE, which the sealed scenario needs); 0: SKIPPED
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "platform.h"
#include "pumpwire.h"
#include "testee_wire.h"

#ifndef TESTEE_SECURE
#define TESTEE_SECURE 1
#endif
#if TESTEE_SECURE
#include "sodium_provider.h"
#endif
/* PUMP_BEGIN and PUMP_RECEIVE (pw_secure_pump); 0 leaves them SKIPPED, to measure what they add. */
#ifndef TESTEE_SECURE_PUMP
#define TESTEE_SECURE_PUMP TESTEE_SECURE
#endif
/* The pump hooks of 2.4.11 (pw_pump): a pump declared `pump` is plain or secure as PUMP_RESET says,
   so it needs the provider; 0 leaves them SKIPPED, to measure what they add. */
#ifndef TESTEE_PUMP
#define TESTEE_PUMP TESTEE_SECURE
#endif
#if TESTEE_PUMP && !TESTEE_SECURE
#error "TESTEE_PUMP needs TESTEE_SECURE: PUMP_RESET may ask for a secure pump (sealed-patient-bolus)"
#endif

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
#define TESTEE_STACK_DEPTH 49152ul
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
    REQ_LOG = 0x0C,
    /* 2.4.10, capability `secure`: dispatched through k_secure_requests, where new ones go. */
    REQ_HANDSHAKE_BEGIN = 0x10,
    REQ_HANDSHAKE_WRITE = 0x11,
    REQ_HANDSHAKE_READ = 0x12,
    REQ_HANDSHAKE_SPLIT = 0x13,
    REQ_SEAL = 0x14,
    REQ_OPEN = 0x15,
    REQ_PUMP_BEGIN = 0x16,
    REQ_PUMP_RECEIVE = 0x17,
    /* 2.4.11, capability `pump`: the pump and its clock, through pw_pump. */
    REQ_PUMP_RESET = 0x18,
    REQ_PUMP_FRAME = 0x19,
    REQ_PUMP_ADVANCE = 0x1A,
    REQ_PUMP_SET_CLOCK = 0x1B,
    REQ_PUMP_SET_BATTERY = 0x1C,
    REQ_PUMP_RESTART = 0x1D,
    REQ_PUMP_OBSERVE = 0x1E,
    REQ_PUMP_READ_MEMORY = 0x1F
};

enum response_status {
    STATUS_OK = 0,
    STATUS_REJECTED = 1,
    STATUS_SKIPPED = 2,
    STATUS_RUNTIME_ERROR = 3
};

/* Capabilities (2.3): decode, crc, reassembly, stream, derived, fields, log, secure, pump (0x75f). Not
   session (11.3 session checking is a programmer-side feature) or dump (includes zlib inflate,
   which the firmware core does not have): see README.md. */
#define CAP_DECODE (1ul << 0)
#define CAP_CRC (1ul << 1)
#define CAP_REASSEMBLY (1ul << 2)
#define CAP_STREAM (1ul << 3)
#define CAP_DERIVED (1ul << 4)
#define CAP_FIELDS (1ul << 6)
#define CAP_LOG (1ul << 8)
#define CAP_SECURE (1ul << 9)
#define CAP_PUMP (1ul << 10)
#if TESTEE_SECURE
#define TESTEE_CAP_SECURE CAP_SECURE
#else
#define TESTEE_CAP_SECURE 0ul
#endif
#if TESTEE_PUMP
#define TESTEE_CAP_PUMP CAP_PUMP
#else
#define TESTEE_CAP_PUMP 0ul
#endif
#define TESTEE_CAPABILITIES                                                                        \
    ((uint32_t)(CAP_DECODE | CAP_CRC | CAP_REASSEMBLY | CAP_STREAM | CAP_DERIVED | CAP_FIELDS | CAP_LOG | \
                TESTEE_CAP_SECURE | TESTEE_CAP_PUMP))

static const char k_testee_name[] = "PumpWire C firmware testee 1 (" TESTEE_TARGET ")";

/* STREAM item kinds (2.4.5) and LOG item kinds (2.4.9). */
enum { STREAM_FRAME = 0, STREAM_MESSAGE = 1, STREAM_REJECTION = 2 };
enum { LOG_ITEM_RECORD = 0, LOG_ITEM_ERASED = 1, LOG_ITEM_REJECTED = 2 };
enum { OFFSET_IN_FRAME = 0, OFFSET_IN_PAYLOAD = 1 };

/* ---- Stack measurement ------------------------------------------------------------------------ */

/* Every pw_* function the handlers call, with the name the stack report prints, and the testee's
   own DECODE_FIELDS view writer (testee_frame_view: the testee's stack, pw_error_name's within it). */
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
    X(FN_LOG_RECORD_ENCODE, "pw_log_record_encode")                     \
    X(FN_HANDSHAKE_INIT, "pw_handshake_init")                           \
    X(FN_HANDSHAKE_WRITE_MESSAGE, "pw_handshake_write_message")         \
    X(FN_HANDSHAKE_READ_MESSAGE, "pw_handshake_read_message")           \
    X(FN_HANDSHAKE_SPLIT, "pw_handshake_split")                         \
    X(FN_SEALED_CHANNEL_INIT, "pw_sealed_channel_init")                 \
    X(FN_SEALED_SEAL_FRAME_INTO, "pw_sealed_seal_frame_into")           \
    X(FN_SEALED_OPEN_FRAME, "pw_sealed_open_frame")                     \
    X(FN_SECURE_PUMP_INIT, "pw_secure_pump_init")                       \
    X(FN_SECURE_PUMP_RECEIVE, "pw_secure_pump_receive")                 \
    X(FN_PUMP_RESET, "pw_pump_reset")                                   \
    X(FN_PUMP_RESET_SECURE, "pw_pump_reset_secure")                     \
    X(FN_PUMP_RECEIVE, "pw_pump_receive")                               \
    X(FN_PUMP_RECEIVE_SECURE, "pw_pump_receive[secure]")                \
    X(FN_PUMP_ADVANCE, "pw_pump_advance")                               \
    X(FN_PUMP_SET_CLOCK, "pw_pump_set_clock")                           \
    X(FN_PUMP_SET_BATTERY, "pw_pump_set_battery")                       \
    X(FN_PUMP_RESTART, "pw_pump_restart")                               \
    X(FN_PUMP_OBSERVE, "pw_pump_observe")                               \
    X(FN_PUMP_READ_MEMORY, "pw_pump_read_memory")                       \
    X(FN_FRAME_VIEW, "testee_frame_view")

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

static void out_cstring(const char *s)
{
    out_bytes(s, cstring_length(s));
}

static void out_decimal(uint32_t v)
{
    char digits[10];
    size_t n = sizeof digits;
    do {
        digits[--n] = (char)('0' + (int)(v % 10u));
        v /= 10u;
    } while (v != 0 && n > 0);
    out_bytes(digits + n, sizeof digits - n);
}

static void out_hex(const uint8_t *bytes, size_t n)
{
    static const char k_digits[] = "0123456789abcdef";
    uint8_t *p = out_reserve(2 * n);
    if (p == NULL) return;
    for (size_t i = 0; i < n; i++) {
        p[2 * i] = (uint8_t)k_digits[bytes[i] >> 4];
        p[2 * i + 1] = (uint8_t)k_digits[bytes[i] & 0x0Fu];
    }
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

/* ---- DECODE_FIELDS (2.4.2) ---------------------------------------------------------------------- */

/* The decoded frame's JSON view (spec section 12) flattened to `path=value\n` lines, written from
   the decoded pw_frame, never from the request's bytes. This is the view's glue only: its names
   (section 12's field lists, PW-JSON-3, PW-JSON-4) and its formatting (2.4.2: integers in decimal,
   `true`/`false`/`null`, strings unquoted, byte strings as lowercase hex, `[]` and `{}` for empty
   arrays and objects). Lines follow the view's key order of section 12; the order is free (2.4.2).

   A value the view has no name for (an enumeration outside its table, a reserved alarm bit, a
   length beyond its array) cannot come out of pw_frame_decode; if it does, the request is answered
   RUNTIME_ERROR rather than with a line the reference would never write. */

/* The enumerations' names (PW-JSON-3), indexed by the wire values of pumpwire.h; NULL where a
   value has none. */
static const char *const k_drug_names[] = {
    [PW_DRUG_MORPHINE] = "morphine", [PW_DRUG_HYDROMORPHONE] = "hydromorphone",
    [PW_DRUG_BACLOFEN] = "baclofen", [PW_DRUG_ZICONOTIDE] = "ziconotide",
    [PW_DRUG_BUPIVACAINE] = "bupivacaine", [PW_DRUG_CLONIDINE] = "clonidine",
    [PW_DRUG_FENTANYL] = "fentanyl", [PW_DRUG_SUFENTANIL] = "sufentanil"
};
static const char *const k_mode_names[] = {
    [PW_MODE_FIXED_RATE] = "fixedRate", [PW_MODE_CONTINUOUS] = "continuous", [PW_MODE_TIME_OF_DAY] = "timeOfDay"
};
static const char *const k_priming_kind_names[] = { [PW_PRIMING_CATHETER] = "catheter", [PW_PRIMING_BRIDGE] = "bridge" };
static const char *const k_region_names[] = {
    [PW_REGION_EVENT_LOG] = "eventLog", [PW_REGION_ALARM_LOG] = "alarmLog",
    [PW_REGION_THERAPY_HISTORY] = "therapyHistory", [PW_REGION_RAW_ADDRESS] = "rawAddress"
};
static const char *const k_encoding_names[] = { [PW_ENCODING_RAW] = "raw", [PW_ENCODING_ZLIB] = "zlib" };
/* activeAlarms (9.2), in bit order. */
static const struct {
    uint16_t bit;
    const char *name;
} k_alarms[] = {
    { PW_ALARM_LOW_RESERVOIR, "lowReservoir" }, { PW_ALARM_EMPTY_RESERVOIR, "emptyReservoir" },
    { PW_ALARM_BATTERY_END_OF_SERVICE, "batteryEndOfService" }, { PW_ALARM_MOTOR_STALL, "motorStall" },
    { PW_ALARM_CATHETER_OCCLUSION, "catheterOcclusion" }, { PW_ALARM_MEMORY_ERROR, "memoryError" },
    { PW_ALARM_CLOCK_LOST, "clockLost" }, { PW_ALARM_PUMP_RESET, "pumpReset" }
};

#define NAME_COUNT(table) (sizeof (table) / sizeof (table)[0])

static const char *message_type_name(uint8_t type)
{
    switch (type) {
    case PW_TYPE_INTERROGATION_REQUEST: return "interrogationRequest";
    case PW_TYPE_PRESCRIPTION_BLOCK: return "prescriptionBlock";
    case PW_TYPE_BOLUS_SCHEDULE: return "bolusSchedule";
    case PW_TYPE_REFILL_CONFIRMATION: return "refillConfirmation";
    case PW_TYPE_MEMORY_DUMP_REQUEST: return "memoryDumpRequest";
    case PW_TYPE_PUMP_STATUS: return "pumpStatus";
    case PW_TYPE_REFILL_RECEIPT: return "refillReceipt";
    case PW_TYPE_MEMORY_DUMP_CHUNK: return "memoryDumpChunk";
    case PW_TYPE_ACKNOWLEDGEMENT: return "acknowledgement";
    case PW_TYPE_NEGATIVE_ACKNOWLEDGEMENT: return "negativeAcknowledgement";
    default: return "unknown"; /* PW-FRAME-8: a type the registry does not list */
    }
}

/* Set when the decoded structs hold a value the view cannot show (see above). */
static const char *g_view_problem;

/* Where a line's path starts: `group` (NULL at the top of the view), then `.index` when index is
   not NO_INDEX (an array element). `message.steps.3` is { "message.steps", 3 }. */
#define NO_INDEX (-1)
struct view_place {
    const char *group;
    int index;
};

static const struct view_place k_top = { NULL, NO_INDEX };
static const struct view_place k_message = { "message", NO_INDEX };

/* `path=`: the place, then `.name` (none if name is NULL: the element itself). */
static void view_path(const struct view_place *at, const char *name)
{
    bool any = false;
    if (at->group != NULL) {
        out_cstring(at->group);
        any = true;
    }
    if (at->index != NO_INDEX) {
        if (any) out_u8('.');
        out_decimal((uint32_t)at->index);
        any = true;
    }
    if (name != NULL) {
        if (any) out_u8('.');
        out_cstring(name);
    }
    out_u8('=');
}

static void view_uint(const struct view_place *at, const char *name, uint32_t value)
{
    view_path(at, name);
    out_decimal(value);
    out_u8('\n');
}

/* A string value, an enumeration name, or a literal (`null`, `[]`, `{}`, `true`, `false`). */
static void view_string(const struct view_place *at, const char *name, const char *value)
{
    view_path(at, name);
    out_cstring(value);
    out_u8('\n');
}

static void view_bool(const struct view_place *at, const char *name, bool value)
{
    view_string(at, name, value ? "true" : "false");
}

static void view_hex(const struct view_place *at, const char *name, const uint8_t *bytes, size_t n)
{
    view_path(at, name);
    out_hex(bytes, n);
    out_u8('\n');
}

/* An enumeration by its name (PW-JSON-3). */
static void view_enum(const struct view_place *at, const char *name, const char *const *names, size_t count,
                      uint8_t value)
{
    if (value >= count || names[value] == NULL) {
        g_view_problem = "DECODE_FIELDS: a decoded enumeration value has no name";
        return;
    }
    view_string(at, name, names[value]);
}

static void view_text(const struct view_place *at, const char *name, const pw_text *text)
{
    if (text->length > PW_MAX_TEXT_LENGTH) {
        g_view_problem = "DECODE_FIELDS: a decoded text is longer than its field";
        return;
    }
    view_path(at, name);
    out_bytes(text->text, text->length);
    out_u8('\n');
}

/* A length that the decoder keeps within its array; beyond it, nothing is shown. */
static bool view_fits(size_t length, size_t capacity)
{
    if (length <= capacity) return true;
    g_view_problem = "DECODE_FIELDS: a decoded length exceeds its array";
    return false;
}

static void view_pump_status(const pw_pump_status *m)
{
    view_text(&k_message, "model", &m->model);
    view_text(&k_message, "serial", &m->serial);
    view_uint(&k_message, "firmwareMajor", m->firmware_major);
    view_uint(&k_message, "firmwareMinor", m->firmware_minor);
    view_uint(&k_message, "firmwarePatch", m->firmware_patch);
    view_uint(&k_message, "batteryMillivolts", m->battery_millivolts);
    view_bool(&k_message, "prescriptionStored", (m->status_flags & PW_STATUS_PRESCRIPTION_STORED) != 0);
    view_bool(&k_message, "bolusScheduleStored", (m->status_flags & PW_STATUS_BOLUS_SCHEDULE_STORED) != 0);
    view_bool(&k_message, "deliverySuspended", (m->status_flags & PW_STATUS_DELIVERY_SUSPENDED) != 0);
    view_bool(&k_message, "electiveReplacementIndicator",
              (m->status_flags & PW_STATUS_ELECTIVE_REPLACEMENT_INDICATOR) != 0);
    view_uint(&k_message, "reservoirVolumeMicrolitres", m->reservoir_volume_microlitres);
    /* activeAlarms: an array of the names of the bits set, in bit order. */
    struct view_place alarm = { "message.activeAlarms", 0 };
    uint16_t named = 0;
    for (size_t i = 0; i < NAME_COUNT(k_alarms); i++) {
        named = (uint16_t)(named | k_alarms[i].bit);
        if ((m->active_alarms & k_alarms[i].bit) == 0) continue;
        view_string(&alarm, NULL, k_alarms[i].name);
        alarm.index++;
    }
    if (alarm.index == 0) view_string(&k_message, "activeAlarms", "[]");
    if ((m->active_alarms & (uint16_t)~named) != 0) {
        g_view_problem = "DECODE_FIELDS: a decoded activeAlarms has a reserved bit set";
        return;
    }
    view_uint(&k_message, "pumpClockTime", m->pump_clock_time);
    view_uint(&k_message, "prescriptionDigest", m->prescription_digest);
    view_uint(&k_message, "bolusScheduleDigest", m->bolus_schedule_digest);
}

static void view_prescription_block(const pw_prescription_block *m)
{
    view_enum(&k_message, "drug", k_drug_names, NAME_COUNT(k_drug_names), m->drug);
    view_enum(&k_message, "mode", k_mode_names, NAME_COUNT(k_mode_names), m->mode);
    view_uint(&k_message, "concentrationMicrogramsPerMillilitre", m->concentration_micrograms_per_millilitre);
    view_uint(&k_message, "reservoirCapacityMicrolitres", m->reservoir_capacity_microlitres);
    view_uint(&k_message, "lowReservoirThresholdMicrolitres", m->low_reservoir_threshold_microlitres);
    view_uint(&k_message, "catheterVolumeMicrolitres", m->catheter_volume_microlitres);
    view_uint(&k_message, "maxDailyDoseNanograms", m->max_daily_dose_nanograms);
    /* steps: no stepCount in the view, the array's length says it. */
    if (!view_fits(m->step_count, PW_MAX_DAY_STEPS)) return;
    if (m->step_count == 0) view_string(&k_message, "steps", "[]");
    for (int i = 0; i < m->step_count; i++) {
        const struct view_place step = { "message.steps", i };
        view_uint(&step, "startMinute", m->steps[i].start_minute);
        view_uint(&step, "doseRateNanogramsPerDay", m->steps[i].dose_rate_nanograms_per_day);
    }
}

static void view_bolus_schedule(const pw_bolus_schedule *m)
{
    /* Each group an object when its flag is set, else null; no `flags`, no `periodicCount`. */
    static const struct view_place clinician = { "message.clinicianBolus", NO_INDEX };
    static const struct view_place priming = { "message.primingBolus", NO_INDEX };
    static const struct view_place patient = { "message.patientBolus", NO_INDEX };
    if ((m->flags & PW_BOLUS_CLINICIAN) != 0) {
        view_uint(&clinician, "doseNanograms", m->clinician_bolus.dose_nanograms);
        view_uint(&clinician, "durationMinutes", m->clinician_bolus.duration_minutes);
    } else {
        view_string(&k_message, "clinicianBolus", "null");
    }
    if ((m->flags & PW_BOLUS_PRIMING) != 0) {
        view_enum(&priming, "kind", k_priming_kind_names, NAME_COUNT(k_priming_kind_names), m->priming_bolus.kind);
        view_uint(&priming, "volumeMicrolitres", m->priming_bolus.volume_microlitres);
        view_uint(&priming, "durationMinutes", m->priming_bolus.duration_minutes);
    } else {
        view_string(&k_message, "primingBolus", "null");
    }
    if ((m->flags & PW_BOLUS_PATIENT) != 0) {
        view_uint(&patient, "doseNanograms", m->patient_bolus.dose_nanograms);
        view_uint(&patient, "durationMinutes", m->patient_bolus.duration_minutes);
        view_uint(&patient, "lockoutMinutes", m->patient_bolus.lockout_minutes);
        view_uint(&patient, "maxPerDay", m->patient_bolus.max_per_day);
    } else {
        view_string(&k_message, "patientBolus", "null");
    }
    if (!view_fits(m->periodic_count, PW_MAX_PERIODIC_BOLUSES)) return;
    if (m->periodic_count == 0) view_string(&k_message, "periodicBoluses", "[]");
    for (int i = 0; i < m->periodic_count; i++) {
        const struct view_place bolus = { "message.periodicBoluses", i };
        view_uint(&bolus, "startMinute", m->periodic_boluses[i].start_minute);
        view_uint(&bolus, "doseNanograms", m->periodic_boluses[i].dose_nanograms);
        view_uint(&bolus, "durationMinutes", m->periodic_boluses[i].duration_minutes);
    }
}

static void view_refill_confirmation(const pw_refill_confirmation *m)
{
    view_enum(&k_message, "drug", k_drug_names, NAME_COUNT(k_drug_names), m->drug);
    view_uint(&k_message, "concentrationMicrogramsPerMillilitre", m->concentration_micrograms_per_millilitre);
    view_uint(&k_message, "volumeWithdrawnMicrolitres", m->volume_withdrawn_microlitres);
    view_uint(&k_message, "volumeAddedMicrolitres", m->volume_added_microlitres);
    view_uint(&k_message, "resultingReservoirMicrolitres", m->resulting_reservoir_microlitres);
    view_uint(&k_message, "refillTime", m->refill_time);
}

static void view_refill_receipt(const pw_refill_receipt *m)
{
    view_uint(&k_message, "confirmationDigest", m->confirmation_digest);
    view_uint(&k_message, "resultingReservoirMicrolitres", m->resulting_reservoir_microlitres);
    view_uint(&k_message, "lowReservoirAlarmTime", m->low_reservoir_alarm_time);
}

static void view_memory_dump_request(const pw_memory_dump_request *m)
{
    view_enum(&k_message, "region", k_region_names, NAME_COUNT(k_region_names), m->region);
    view_bool(&k_message, "compressionAllowed", (m->flags & PW_DUMP_COMPRESSION_ALLOWED) != 0);
    view_uint(&k_message, "offset", m->offset);
    view_uint(&k_message, "length", m->length);
}

static void view_memory_dump_chunk(const pw_memory_dump_chunk *m)
{
    view_enum(&k_message, "region", k_region_names, NAME_COUNT(k_region_names), m->region);
    view_enum(&k_message, "encoding", k_encoding_names, NAME_COUNT(k_encoding_names), m->encoding);
    view_uint(&k_message, "chunkIndex", m->chunk_index);
    view_uint(&k_message, "chunkCount", m->chunk_count);
    view_uint(&k_message, "regionOffset", m->region_offset);
    view_uint(&k_message, "imageLength", m->image_length);
    view_uint(&k_message, "imageCrc32", m->image_crc32);
    view_uint(&k_message, "dataOffset", m->data_offset);
    if (view_fits(m->data_length, PW_CHUNK_DATA_SIZE)) view_hex(&k_message, "data", m->data, m->data_length);
}

static void view_negative_acknowledgement(const pw_negative_acknowledgement *m)
{
    view_uint(&k_message, "rejectedType", m->rejected_type);
    view_uint(&k_message, "errorCode", m->error_code);
    /* For reading only (section 12): the name the C API gives the code (section 10). */
    view_string(&k_message, "errorName", pw_error_name(m->error_code));
    view_uint(&k_message, "errorOffset", m->error_offset);
}

/* The `message` of a frame without the FRAGMENT flag (section 12). */
static void view_message(const pw_message *message)
{
    switch (message->type) {
    case PW_TYPE_INTERROGATION_REQUEST: view_string(&k_top, "message", "{}"); break; /* no fields */
    case PW_TYPE_PUMP_STATUS: view_pump_status(&message->body.pump_status); break;
    case PW_TYPE_PRESCRIPTION_BLOCK: view_prescription_block(&message->body.prescription_block); break;
    case PW_TYPE_BOLUS_SCHEDULE: view_bolus_schedule(&message->body.bolus_schedule); break;
    case PW_TYPE_REFILL_CONFIRMATION: view_refill_confirmation(&message->body.refill_confirmation); break;
    case PW_TYPE_REFILL_RECEIPT: view_refill_receipt(&message->body.refill_receipt); break;
    case PW_TYPE_MEMORY_DUMP_REQUEST: view_memory_dump_request(&message->body.memory_dump_request); break;
    case PW_TYPE_MEMORY_DUMP_CHUNK: view_memory_dump_chunk(&message->body.memory_dump_chunk); break;
    case PW_TYPE_ACKNOWLEDGEMENT:
        view_uint(&k_message, "acknowledgedType", message->body.acknowledgement.acknowledged_type);
        view_uint(&k_message, "digest", message->body.acknowledgement.digest);
        break;
    case PW_TYPE_NEGATIVE_ACKNOWLEDGEMENT:
        view_negative_acknowledgement(&message->body.negative_acknowledgement);
        break;
    default: /* an unknown message: { "payload": "<hex>" } */
        if (view_fits(message->body.unknown.length, PW_MAX_MESSAGE_PAYLOAD))
            view_hex(&k_message, "payload", message->body.unknown.payload, message->body.unknown.length);
        break;
    }
}

/* The whole view of a decoded frame: the frame's keys, then `sealed` (PW-AUTH-3), `fragment`
   (PW-JSON-4: no `message`) or `message`. */
static void view_frame(const pw_frame *frame)
{
    static const struct view_place authentication = { "authentication", NO_INDEX };
    static const struct view_place fragment = { "fragment", NO_INDEX };
    uint8_t type = pw_frame_message_type(frame);
    g_view_problem = NULL;
    view_string(&k_top, "messageType", message_type_name(type));
    view_uint(&k_top, "typeCode", type);
    view_uint(&k_top, "sequence", frame->sequence);
    if ((frame->flags & PW_FRAME_AUTHENTICATED) != 0) {
        view_uint(&authentication, "freshnessCounter", frame->authentication.freshness_counter);
        view_hex(&authentication, "tag", frame->authentication.tag, PW_AUTHENTICATION_TAG_SIZE);
    } else {
        view_string(&k_top, "authentication", "null");
    }
    if (pw_frame_is_sealed(frame)) {
        /* PW-AUTH-3: the sealed envelope; the ciphertext is never decoded. */
        static const struct view_place sealed = { "sealed", NO_INDEX };
        static const struct view_place sealed_fragment = { "sealed.fragment", NO_INDEX };
        size_t n;
        const uint8_t *ciphertext = pw_frame_ciphertext(frame, &n);
        if ((frame->flags & PW_FRAME_FRAGMENT) != 0) {
            view_uint(&sealed_fragment, "index", frame->fragment.index);
            view_uint(&sealed_fragment, "count", frame->fragment.count);
            view_uint(&sealed_fragment, "totalLength", frame->fragment.total_length);
        } else {
            view_string(&sealed, "fragment", "null");
        }
        if (view_fits(n, PW_MAX_FRAME_PAYLOAD)) view_hex(&sealed, "ciphertext", ciphertext, n);
    } else if ((frame->flags & PW_FRAME_FRAGMENT) != 0) {
        view_uint(&fragment, "index", frame->fragment.index);
        view_uint(&fragment, "count", frame->fragment.count);
        view_uint(&fragment, "totalLength", frame->fragment.total_length);
        if (view_fits(frame->fragment.data_length, PW_FRAGMENT_DATA_SIZE))
            view_hex(&fragment, "data", frame->fragment.data, frame->fragment.data_length);
    } else {
        view_message(&frame->message);
    }
}

static void handle_decode_fields(const uint8_t *args, size_t length)
{
    uint32_t offset;
    uint16_t err = decode_frame(args, length, &offset);
    if (err != PW_OK) {
        respond_rejected(err, offset);
        return;
    }
    out_begin(STATUS_OK);
    /* The view's stack (pw_error_name's included), below the same stack pointer as the decoding's. */
    MEASURED(FN_FRAME_VIEW, view_frame(&g_frame));
    if (g_view_problem != NULL) respond_runtime_error(g_view_problem);
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
    if ((g_frame.flags & PW_FRAME_FRAGMENT) == 0 || pw_frame_is_sealed(&g_frame)) { /* PW-AUTH-3 */
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
        /* PW-AUTH-3: a sealed fragment is not reassembled without keys. */
        if ((g_frame.flags & PW_FRAME_FRAGMENT) != 0 && !pw_frame_is_sealed(&g_frame)) stream_reassemble(stream, start);
    }
    stream_give_up(stream); /* the end of the stream: a message still in progress is missing fragments */
    out_patch_u32(count_at, stream->count);
}

/* ---- DERIVE (2.4.6) ----------------------------------------------------------------------------- */

static const char k_malformed_derive[] = "malformed request: DERIVE's lengths disagree with its body";

static void handle_derive(const uint8_t *args, size_t length)
{
    /* u16 length and a prescriptionBlock frame, u16 length and a refillConfirmation frame. */
    if (length < 2) {
        respond_runtime_error(k_malformed_derive);
        return;
    }
    size_t rx_length = wire_get_u16(args);
    const uint8_t *rx = args + 2;
    size_t at = 2;
    if (length - at < rx_length) {
        respond_runtime_error(k_malformed_derive);
        return;
    }
    at += rx_length;
    if (length - at < 2) {
        respond_runtime_error(k_malformed_derive);
        return;
    }
    size_t refill_length = wire_get_u16(args + at);
    at += 2;
    const uint8_t *refill = args + at;
    if (length - at != refill_length) {
        respond_runtime_error(k_malformed_derive);
        return;
    }

    uint32_t offset;
    uint16_t err = decode_frame(rx, rx_length, &offset);
    if (err != PW_OK) {
        respond_rejected(err, offset);
        return;
    }
    if ((g_frame.flags & PW_FRAME_FRAGMENT) != 0 || pw_frame_is_sealed(&g_frame) || g_frame.message.type != PW_TYPE_PRESCRIPTION_BLOCK) {
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
    if ((g_frame.flags & PW_FRAME_FRAGMENT) != 0 || pw_frame_is_sealed(&g_frame) || g_frame.message.type != PW_TYPE_REFILL_CONFIRMATION) {
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
        respond_runtime_error("malformed request: LOG with fewer than 5 bytes after its code");
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

/* ---- Secure sessions (2.4.10, capability `secure`) ----------------------------------------------- */

/* Each request of 2.4.10 is a row of k_secure_requests: its code, its handler. A request added to
   2.4.10 later is a code in enum request_code, a handler here and a row; dispatch() reaches the
   table for every code it does not handle itself, and a code the table lacks is SKIPPED (2.7). */
typedef void (*secure_handler)(const uint8_t *args, size_t length);

#if TESTEE_SECURE

#define SECURE_KEY_SIZE 32u
#define SECURE_NO_OFFSET 0xFFFFu /* PumpWireError's "no offset" (2.4.10) */
#define SECURE_SPLIT_EPOCH 1u    /* SPLIT answers no epoch; any will do for its own check */

/* The table the C API gets is libsodium's (pw_sodium_provider) with HKDF observed: pumpwire.h
   never hands out a channel's keys (PW-SEC-19), yet SPLIT answers k1 and k2 (PW-SEC-8). */
static pw_crypto_provider g_sodium;
static pw_crypto_provider g_provider;

static struct {
    bool begun;                  /* the last HANDSHAKE_BEGIN succeeded (2.4.10: it replaces the handshake) */
    uint8_t role;                /* that BEGIN's role, for SPLIT's check */
    bool split_armed;            /* pw_handshake_split is running: catch Split()'s HKDF output */
    unsigned split_captures;     /* HKDF outputs caught while armed: exactly one */
    uint8_t split_keys[2 * SECURE_KEY_SIZE]; /* k1 || k2 as Split()'s HKDF gave them */
    pw_handshake handshake;      /* 640 B: the one handshake kept between requests */
    pw_sealed_channel channel;   /* SEAL's, OPEN's, SPLIT's: prepared and erased within the request */
    pw_sealed_channel peer;      /* SPLIT's check: a channel from the caught k1 and k2 */
} g_secure;

/* Noise's Split() is its only HKDF with empty input key material and two outputs (Noise 5.2):
   MixKey takes a DH result, MixKeyAndHash a psk and three outputs. */
static int testee_hkdf_sha256(void *context, uint8_t *out, size_t out_length, const uint8_t *salt,
                              size_t salt_length, const uint8_t *ikm, size_t ikm_length, const uint8_t *info,
                              size_t info_length)
{
    (void)context;
    int status = g_sodium.hkdf_sha256(g_sodium.context, out, out_length, salt, salt_length, ikm, ikm_length, info,
                                      info_length);
    if (status == 0 && g_secure.split_armed && ikm_length == 0 && out_length == sizeof g_secure.split_keys) {
        for (size_t i = 0; i < out_length; i++) g_secure.split_keys[i] = out[i];
        g_secure.split_captures++;
    }
    return status;
}

static void secure_init(void)
{
    g_sodium = pw_sodium_provider();
    g_provider = g_sodium;
    g_provider.hkdf_sha256 = testee_hkdf_sha256;
}

static void respond_malformed(const char *message)
{
    out_begin(STATUS_RUNTIME_ERROR);
    out_cstring("malformed request: ");
    out_cstring(message);
}

/* Commits `written` bytes that a pw_* call wrote at the end of the body. */
static void out_commit(size_t written)
{
    (void)out_reserve(written); /* never above out_room(), which the call was given */
}

/* WRITE, READ and SPLIT without a handshake are out of turn, as the reference answers. */
static bool secure_has_handshake(void)
{
    if (g_secure.begun) return true;
    respond_rejected(PW_ERR_HANDSHAKE_OUT_OF_ORDER, SECURE_NO_OFFSET);
    return false;
}

/* HANDSHAKE_BEGIN (0x10): u8 pattern, u8 role, u16 prologue length and the prologue, the static and
   the ephemeral private key, then the remote static public key and the psk, each u8 0 or u8 1 and
   32 bytes. A malformed one changes nothing (2.7); any other drops the handshake held. */
static void handle_handshake_begin(const uint8_t *args, size_t length)
{
    const uint8_t *optional[2] = { NULL, NULL }; /* remote static public key, psk */
    if (length < 4) {
        respond_malformed("HANDSHAKE_BEGIN shorter than its pattern, role and prologue length");
        return;
    }
    uint8_t pattern = args[0], role = args[1];
    if (pattern != PW_HANDSHAKE_PAIRING && pattern != PW_HANDSHAKE_SESSION) {
        respond_malformed("HANDSHAKE_BEGIN of an unknown pattern");
        return;
    }
    if (role != PW_ROLE_INITIATOR && role != PW_ROLE_RESPONDER) {
        respond_malformed("HANDSHAKE_BEGIN of an unknown role");
        return;
    }
    size_t prologue_length = wire_get_u16(args + 2);
    size_t at = 4;
    if (length - at < prologue_length + 2u * SECURE_KEY_SIZE) {
        respond_malformed("HANDSHAKE_BEGIN shorter than its prologue and private keys");
        return;
    }
    const uint8_t *prologue = args + at;
    at += prologue_length;
    const uint8_t *static_private = args + at;
    const uint8_t *ephemeral_private = args + at + SECURE_KEY_SIZE;
    at += 2u * SECURE_KEY_SIZE;
    for (size_t k = 0; k < 2; k++) {
        if (length - at < 1 || args[at] > 1 || (args[at] == 1 && length - at < 1 + SECURE_KEY_SIZE)) {
            respond_malformed("HANDSHAKE_BEGIN's optional key is neither absent nor 32 bytes");
            return;
        }
        if (args[at++] == 1) {
            optional[k] = args + at;
            at += SECURE_KEY_SIZE;
        }
    }
    if (at != length) {
        respond_malformed("HANDSHAKE_BEGIN with bytes after its keys");
        return;
    }

    pw_handshake_erase(&g_secure.handshake);
    g_secure.begun = false;
    uint16_t err;
    uint32_t offset = 0;
    /* 2.4.10: the ephemeral key comes fixed in the request, a test hook production never uses. */
    MEASURED(FN_HANDSHAKE_INIT,
             err = pw_handshake_init(&g_secure.handshake, &g_provider, pattern, role, prologue, prologue_length,
                                     static_private, optional[0], optional[1], ephemeral_private, &offset));
    if (err != PW_OK) { /* KK without the remote key, XXpsk3 without the psk: no handshake */
        pw_handshake_erase(&g_secure.handshake);
        respond_rejected(err, offset);
        return;
    }
    g_secure.begun = true;
    g_secure.role = role;
    out_begin(STATUS_OK);
}

/* HANDSHAKE_WRITE (0x11): the payload in, this side's next Noise message out. */
static void handle_handshake_write(const uint8_t *args, size_t length)
{
    if (!secure_has_handshake()) return;
    uint16_t err;
    uint32_t offset = 0;
    size_t written = 0;
    out_begin(STATUS_OK);
    MEASURED(FN_HANDSHAKE_WRITE_MESSAGE,
             err = pw_handshake_write_message(&g_secure.handshake, args, length, RESPONSE_BODY + g_out.length,
                                              out_room(), &written, &offset));
    if (err != PW_OK) {
        respond_rejected(err, offset);
        return;
    }
    out_commit(written);
}

/* HANDSHAKE_READ (0x12): the peer's Noise message in, its payload out. */
static void handle_handshake_read(const uint8_t *args, size_t length)
{
    if (!secure_has_handshake()) return;
    uint16_t err;
    uint32_t offset = 0;
    size_t written = 0;
    out_begin(STATUS_OK);
    MEASURED(FN_HANDSHAKE_READ_MESSAGE,
             err = pw_handshake_read_message(&g_secure.handshake, args, length, RESPONSE_BODY + g_out.length,
                                             out_room(), &written, &offset));
    if (err != PW_OK) {
        respond_rejected(err, offset);
        return;
    }
    out_commit(written);
}

/* PW-SEC-8: the split channel seals with this side's key (k1 the initiator's) and opens the other
   side's; a channel made from the caught k1 and k2 must open what it seals, and the other way, so
   the keys SPLIT answers are the channel's, not merely an HKDF output. */
static bool secure_split_keys_are_the_channels(void)
{
    const uint8_t *k1 = g_secure.split_keys, *k2 = g_secure.split_keys + SECURE_KEY_SIZE;
    bool initiator = g_secure.role == PW_ROLE_INITIATOR;
    uint16_t err;
    MEASURED(FN_SEALED_CHANNEL_INIT,
             err = pw_sealed_channel_init(&g_secure.peer, &g_provider, initiator ? k2 : k1, initiator ? k1 : k2,
                                          SECURE_SPLIT_EPOCH, 0, false, 0));
    /* An empty sealed frame: header, authentication block (its counter and tag written by
       sealing), CRC (4.1, PW-SEC-9). */
    uint8_t frame[PW_HEADER_SIZE + PW_AUTHENTICATION_BLOCK_SIZE + 2] = {
        0xA5, 0xC3, 0x01, 0x01, PW_FRAME_AUTHENTICATED, 0x01, 0x00, 0x00, 0x00
    };
    uint8_t sealed[sizeof frame], opened[sizeof frame];
    uint16_t crc;
    MEASURED(FN_CRC16, crc = pw_crc16(frame, sizeof frame - 2));
    wire_put_u16(frame + sizeof frame - 2, crc);
    for (int direction = 0; err == PW_OK && direction < 2; direction++) {
        pw_sealed_channel *sender = direction == 0 ? &g_secure.channel : &g_secure.peer;
        pw_sealed_channel *receiver = direction == 0 ? &g_secure.peer : &g_secure.channel;
        size_t sealed_length = 0, opened_length = 0;
        uint32_t offset = 0;
        MEASURED(FN_SEALED_SEAL_FRAME_INTO,
                 err = pw_sealed_seal_frame_into(sender, frame, sizeof frame, sealed, sizeof sealed, &sealed_length,
                                                 &offset));
        if (err != PW_OK) break;
        MEASURED(FN_SEALED_OPEN_FRAME,
                 err = pw_sealed_open_frame(receiver, sealed, sealed_length, opened, sizeof opened, &opened_length,
                                            &offset));
    }
    pw_sealed_channel_erase(&g_secure.peer);
    return err == PW_OK;
}

/* HANDSHAKE_SPLIT (0x13): the handshake hash, k1 and k2 (PW-SEC-8), once the last message is done. */
static void handle_handshake_split(const uint8_t *args, size_t length)
{
    (void)args;
    if (length != 0) {
        respond_malformed("HANDSHAKE_SPLIT with bytes after its code");
        return;
    }
    if (!secure_has_handshake()) return;
    uint8_t hash[PW_SHA256_SIZE];
    uint16_t err;
    uint32_t offset = 0;
    g_secure.split_captures = 0;
    g_secure.split_armed = true;
    MEASURED(FN_HANDSHAKE_SPLIT,
             err = pw_handshake_split(&g_secure.handshake, SECURE_SPLIT_EPOCH, &g_secure.channel, hash, &offset));
    g_secure.split_armed = false;
    if (err != PW_OK) { /* too early, or after a failure: no key is derived (PW-SEC-4, PW-SEC-8) */
        respond_rejected(err, offset);
    } else if (g_secure.split_captures != 1) {
        respond_runtime_error("pw_handshake_split: Split()'s HKDF was not seen exactly once");
    } else if (!secure_split_keys_are_the_channels()) {
        respond_runtime_error("pw_handshake_split: the split channel does not seal and open with k1 and k2");
    } else {
        out_begin(STATUS_OK);
        out_bytes(hash, sizeof hash);
        out_bytes(g_secure.split_keys, sizeof g_secure.split_keys);
    }
    pw_sealed_channel_erase(&g_secure.channel);
    for (size_t i = 0; i < sizeof g_secure.split_keys; i++) g_secure.split_keys[i] = 0;
}

/* SEAL (0x14): the key, the u32 freshness counter (sessionEpoch << 24 | frameCounter), the
   cleartext frame; sealed with that counter (PW-SEC-9). */
static void handle_seal(const uint8_t *args, size_t length)
{
    if (length < SECURE_KEY_SIZE + 4u) {
        respond_malformed("SEAL shorter than its key and freshness counter");
        return;
    }
    uint32_t counter = wire_get_u32(args + SECURE_KEY_SIZE);
    const uint8_t *frame = args + SECURE_KEY_SIZE + 4u;
    size_t frame_length = length - SECURE_KEY_SIZE - 4u;
    uint16_t err;
    uint32_t offset = 0;
    size_t written = 0;
    MEASURED(FN_SEALED_CHANNEL_INIT,
             err = pw_sealed_channel_init(&g_secure.channel, &g_provider, args, args, (uint8_t)(counter >> 24),
                                          counter & PW_SEALED_MAX_FRAME_COUNTER, false, 0));
    if (err == PW_OK) {
        out_begin(STATUS_OK);
        MEASURED(FN_SEALED_SEAL_FRAME_INTO,
                 err = pw_sealed_seal_frame_into(&g_secure.channel, frame, frame_length, RESPONSE_BODY + g_out.length,
                                                 out_room(), &written, &offset));
    }
    pw_sealed_channel_erase(&g_secure.channel);
    if (err != PW_OK) {
        respond_rejected(err, offset);
        return;
    }
    out_commit(written);
}

/* OPEN (0x15): the key, the u8 session epoch, u8 1 and the u32 highest frame counter accepted (or
   u8 0 and u32 0), then one frame; 4.2 steps 1 to 8 and PW-SEC-10, in the pw_* call. */
static void handle_open(const uint8_t *args, size_t length)
{
    if (length < SECURE_KEY_SIZE + 6u || args[SECURE_KEY_SIZE + 1u] > 1) {
        respond_malformed("OPEN shorter than its key, epoch and highest counter, or a presence byte above 1");
        return;
    }
    uint8_t epoch = args[SECURE_KEY_SIZE];
    bool has_highest = args[SECURE_KEY_SIZE + 1u] == 1;
    uint32_t highest = wire_get_u32(args + SECURE_KEY_SIZE + 2u);
    const uint8_t *frame = args + SECURE_KEY_SIZE + 6u;
    size_t frame_length = length - SECURE_KEY_SIZE - 6u;
    uint16_t err;
    uint32_t offset = 0;
    size_t written = 0;
    MEASURED(FN_SEALED_CHANNEL_INIT,
             err = pw_sealed_channel_init(&g_secure.channel, &g_provider, args, args, epoch, 0, has_highest, highest));
    uint8_t *cleartext = NULL;
    if (err == PW_OK) {
        out_begin(STATUS_OK);
        cleartext = RESPONSE_BODY + g_out.length;
        MEASURED(FN_SEALED_OPEN_FRAME,
                 err = pw_sealed_open_frame(&g_secure.channel, frame, frame_length, cleartext, out_room(), &written,
                                            &offset));
    }
    pw_sealed_channel_erase(&g_secure.channel);
    if (err != PW_OK) {
        respond_rejected(err, offset);
        return;
    }
    if (written < PW_HEADER_SIZE + PW_AUTHENTICATION_BLOCK_SIZE + 2u) {
        respond_runtime_error("pw_sealed_open_frame: a frame shorter than its authentication block");
        return;
    }
    /* 2.4.10: the cleartext frame in the form SEAL takes: the tag zeroed, the CRC recomputed. */
    size_t crc_at = written - 2u;
    for (size_t i = crc_at - PW_AUTHENTICATION_TAG_SIZE; i < crc_at; i++) cleartext[i] = 0;
    uint16_t crc;
    MEASURED(FN_CRC16, crc = pw_crc16(cleartext, crc_at));
    wire_put_u16(cleartext + crc_at, crc);
    out_commit(written);
}

/* ---- The pump's four slots, as PUMP_BEGIN and PUMP_RESET carry them ---- */

#define PUMP_SLOT_COUNT 4u
#define PUMP_SLOT_SIZE (1u + SECURE_KEY_SIZE + 4u)                      /* role, static public key, last command id */

/* The slots at `at` (PUMP_SLOT_COUNT of PUMP_SLOT_SIZE bytes) into `slots`; false for a role above 2. */
static __attribute__((unused)) bool read_pump_slots(const uint8_t *at, pw_pump_slot slots[PUMP_SLOT_COUNT])
{
    for (size_t i = 0; i < PUMP_SLOT_COUNT; i++, at += PUMP_SLOT_SIZE) {
        slots[i].role = at[0];
        if (slots[i].role > 2u) return false;
        for (size_t k = 0; k < SECURE_KEY_SIZE; k++) slots[i].static_public[k] = at[1u + k];
        slots[i].last_command_id = wire_get_u32(at + 1u + SECURE_KEY_SIZE);
    }
    return true;
}

/* ---- The secure pump (PUMP_BEGIN, PUMP_RECEIVE; security.md PW-SEC-21) ---- */

#if TESTEE_SECURE_PUMP

#define PUMP_BEGIN_SIZE (2u * SECURE_KEY_SIZE + 1u + 4u + 8u + PUMP_SLOT_COUNT * PUMP_SLOT_SIZE) /* 225 */
#define PUMP_RECEIVE_FIXED (4u + SECURE_KEY_SIZE)                       /* now, ephemeral private key */

/* What a pump's firmware holds for the pump: its state (2560 B), the work buffer the C API reads a
   sealed frame and reassembles a message in (its therapy payload is handed over from there), and
   the step it reports. The answer is written straight into the response (PUMP_RECEIVE's layout
   puts it first), where a pump would have its radio's 128-byte transmit buffer. */
static struct {
    bool begun;                                   /* the last PUMP_BEGIN succeeded */
    pw_secure_pump state;                         /* 2560 B */
    pw_pump_step step;
    uint8_t work[PW_SECURE_PUMP_WORK_CAPACITY];   /* 320 B */
} g_pump;

/* PUMP_BEGIN (0x16): the static private key, the pairing secret, u8 window, u32 session count, the
   patient bolus (u8 present, u32 dose, u16 lockout, u8 per day), four slots (u8 role, the static
   public key, u32 last command id). A malformed one changes nothing (2.7); any other drops the pump. */
static void handle_pump_begin(const uint8_t *args, size_t length)
{
    if (length != PUMP_BEGIN_SIZE) {
        respond_malformed("PUMP_BEGIN is not 225 bytes");
        return;
    }
    const uint8_t *static_private = args, *pairing_secret = args + SECURE_KEY_SIZE;
    size_t at = 2u * SECURE_KEY_SIZE;
    uint8_t window = args[at];
    uint32_t session_count = wire_get_u32(args + at + 1u);
    at += 5u;
    uint8_t has_bolus = args[at];
    pw_patient_bolus_limits limits = {
        .dose_nanograms = wire_get_u32(args + at + 1u),
        .lockout_minutes = wire_get_u16(args + at + 5u),
        .max_per_day = args[at + 7u],
    };
    at += 8u;
    if (window > 1 || has_bolus > 1) {
        respond_malformed("PUMP_BEGIN's pairing window or patient bolus presence above 1");
        return;
    }
    pw_pump_slot slots[PUMP_SLOT_COUNT];
    if (!read_pump_slots(args + at, slots)) {
        respond_malformed("PUMP_BEGIN with a slot role above 2");
        return;
    }

    pw_secure_pump_erase(&g_pump.state);
    g_pump.begun = false;
    uint16_t err;
    uint32_t offset = 0;
    MEASURED(FN_SECURE_PUMP_INIT,
             err = pw_secure_pump_init(&g_pump.state, &g_sodium, static_private, pairing_secret, window == 1,
                                       session_count, has_bolus ? &limits : NULL, slots, &offset));
    if (err != PW_OK) {
        pw_secure_pump_erase(&g_pump.state);
        respond_rejected(err, offset);
        return;
    }
    g_pump.begun = true;
    out_begin(STATUS_OK);
}

/* PUMP_RECEIVE (0x17): u32 now, the ephemeral private key (all zero: none, the provider draws one, as
   the reference does), one frame. OK with u16 length and the frame sent; u8 1, u8 type, u32
   commandId, u16 length and the payload when it goes to therapy, or u8 0; u8 count and the records. */
static void handle_pump_receive(const uint8_t *args, size_t length)
{
    if (length < PUMP_RECEIVE_FIXED) {
        respond_malformed("PUMP_RECEIVE shorter than its clock and ephemeral key");
        return;
    }
    if (!g_pump.begun) {
        respond_runtime_error("PUMP_RECEIVE before PUMP_BEGIN");
        return;
    }
    uint32_t now = wire_get_u32(args);
    const uint8_t *ephemeral = args + 4u;
    bool fixed = false;
    for (size_t i = 0; i < SECURE_KEY_SIZE; i++) fixed |= ephemeral[i] != 0;
    const uint8_t *frame = args + PUMP_RECEIVE_FIXED;
    size_t frame_length = length - PUMP_RECEIVE_FIXED;
    /* The work buffer holds a whole frame: 320 bytes are a pump's, above any frame (271). A longer
       input (no frame, but a test may send one) gets a scratch area at the response's far end,
       which the answer (under 600 bytes) never reaches: TESTEE_MAX_RESPONSE is 1.25 requests. */
    out_begin(STATUS_OK);
    uint8_t *work = g_pump.work;
    size_t work_capacity = sizeof g_pump.work;
    if (frame_length > work_capacity) {
        if (out_room() < frame_length + 1024u) {
            g_out.overflow = true;
            return;
        }
        work_capacity = frame_length;
        work = RESPONSE_BODY + TESTEE_MAX_RESPONSE - work_capacity;
    }
    size_t length_at = g_out.length;
    out_u16(0);
    uint8_t *answer = RESPONSE_BODY + g_out.length;
    uint16_t err;
    uint32_t offset = 0;
    MEASURED(FN_SECURE_PUMP_RECEIVE,
             err = pw_secure_pump_receive(&g_pump.state, frame, frame_length, now, fixed ? ephemeral : NULL, answer,
                                          PW_SECURE_PUMP_ANSWER_CAPACITY, work, work_capacity, &g_pump.step, &offset));
    const pw_pump_step *step = &g_pump.step;
    if (err != PW_OK) { /* only the caller's mistakes (state, buffers): never, with the buffers above */
        respond_rejected(err, offset);
        return;
    }
    if (step->answer_length > PW_SECURE_PUMP_ANSWER_CAPACITY || step->record_count > 4u
        || (step->has_therapy && step->therapy_length > work_capacity)) {
        respond_runtime_error("pw_secure_pump_receive: a step beyond its buffers");
        return;
    }
    out_commit(step->answer_length);
    out_patch_u16(length_at, (uint16_t)step->answer_length);
    if (step->has_therapy) {
        out_u8(1);
        out_u8(step->therapy_message_type);
        out_u32(step->therapy_command_id);
        out_u16((uint16_t)step->therapy_length);
        out_bytes(work, step->therapy_length);
    } else {
        out_u8(0);
    }
    out_u8(step->record_count);
    for (size_t i = 0; i < step->record_count; i++) out_bytes(step->records[i], PW_LOG_RECORD_SIZE);
}
#endif /* TESTEE_SECURE_PUMP */

static const struct {
    uint8_t code;
    secure_handler handle;
} k_secure_requests[] = {
    { REQ_HANDSHAKE_BEGIN, handle_handshake_begin },
    { REQ_HANDSHAKE_WRITE, handle_handshake_write },
    { REQ_HANDSHAKE_READ, handle_handshake_read },
    { REQ_HANDSHAKE_SPLIT, handle_handshake_split },
    { REQ_SEAL, handle_seal },
    { REQ_OPEN, handle_open },
#if TESTEE_SECURE_PUMP
    { REQ_PUMP_BEGIN, handle_pump_begin },
    { REQ_PUMP_RECEIVE, handle_pump_receive },
#endif
};

/* Runs a request of k_secure_requests; false for a code it does not hold. */
static bool secure_dispatch(uint8_t code, const uint8_t *args, size_t length)
{
    for (size_t i = 0; i < sizeof k_secure_requests / sizeof k_secure_requests[0]; i++) {
        if (k_secure_requests[i].code == code) {
            k_secure_requests[i].handle(args, length);
            return true;
        }
    }
    return false;
}

#else /* !TESTEE_SECURE: `secure` not declared, its codes SKIPPED (2.7) */

static void secure_init(void) {}

static bool secure_dispatch(uint8_t code, const uint8_t *args, size_t length)
{
    (void)code;
    (void)args;
    (void)length;
    return false;
}

#endif /* TESTEE_SECURE */

/* ---- The pump and its clock (2.4.11, capability `pump`) ------------------------------------------ */

#if TESTEE_PUMP

#define HOOK_RESET_PLAIN_SIZE 7u                     /* u32 clock, u16 battery, u8 security */
#define HOOK_RESET_SECURE_SIZE                                                                      \
    (HOOK_RESET_PLAIN_SIZE + 2u * SECURE_KEY_SIZE + 1u + 4u + PUMP_SLOT_COUNT * PUMP_SLOT_SIZE) /* 224 */
#define HOOK_MAX_BATTERY 5000u                       /* mV (2.4.11) */

/* The one pump of the hooks, plain or secure as the last PUMP_RESET said: 14 KiB, here rather than
   on a stack. PUMP_BEGIN's secure pump (g_pump) is another. */
static struct {
    bool ready;      /* the last PUMP_RESET succeeded */
    bool secure;     /* and made a secure pump (its pw_pump_receive is reported apart) */
    unsigned frames; /* PUMP_FRAME: the answer frames written so far */
    pw_pump pump;
} g_hooks;

/* 2.4.11: before the first PUMP_RESET every other hook is RUNTIME_ERROR. */
static bool hooks_ready(void)
{
    if (g_hooks.ready) return true;
    respond_runtime_error("a pump hook before PUMP_RESET");
    return false;
}

/* PUMP_RESET (0x18): u32 clock, u16 battery (mV), u8 security; a secure pump then has its static
   private key, its pairing secret, u8 window, u32 session count and four slots (u8 role, the static
   public key, u32 last command id). A malformed one changes nothing (2.7); any other replaces the
   pump. The secure pump gets the plain libsodium table (no split keys are caught for it). */
static void handle_pump_reset(const uint8_t *args, size_t length)
{
    if (length < HOOK_RESET_PLAIN_SIZE) {
        respond_malformed("PUMP_RESET shorter than its clock, battery and security byte");
        return;
    }
    uint32_t clock = wire_get_u32(args);
    uint16_t battery = wire_get_u16(args + 4u);
    uint8_t security = args[6];
    if (clock == PW_NEVER || battery > HOOK_MAX_BATTERY || security > 1u) {
        respond_malformed("PUMP_RESET's clock is 0xffffffff, its battery above 5000 mV or its security byte above 1");
        return;
    }
    if (length != (security == 1u ? HOOK_RESET_SECURE_SIZE : HOOK_RESET_PLAIN_SIZE)) {
        respond_malformed(security == 1u ? "a secure PUMP_RESET is not 224 bytes" : "a plain PUMP_RESET is not 7 bytes");
        return;
    }
    const uint8_t *static_private = args + HOOK_RESET_PLAIN_SIZE;
    const uint8_t *pairing_secret = static_private + SECURE_KEY_SIZE;
    uint8_t window = 0;
    uint32_t session_count = 0;
    pw_pump_slot slots[PUMP_SLOT_COUNT];
    if (security == 1u) {
        size_t at = HOOK_RESET_PLAIN_SIZE + 2u * SECURE_KEY_SIZE;
        window = args[at];
        session_count = wire_get_u32(args + at + 1u);
        at += 5u;
        if (window > 1u) {
            respond_malformed("PUMP_RESET's pairing window above 1");
            return;
        }
        if (!read_pump_slots(args + at, slots)) {
            respond_malformed("PUMP_RESET with a slot role above 2");
            return;
        }
    }

    g_hooks.ready = false;
    uint16_t err;
    uint32_t offset = 0;
    if (security == 1u) {
        MEASURED(FN_PUMP_RESET_SECURE,
                 err = pw_pump_reset_secure(&g_hooks.pump, clock, battery, &g_sodium, static_private, pairing_secret,
                                            window == 1u, session_count, slots, &offset));
    } else {
        MEASURED(FN_PUMP_RESET, err = pw_pump_reset(&g_hooks.pump, clock, battery, &offset));
    }
    if (err != PW_OK) { /* never: the request was checked above */
        pw_pump_erase(&g_hooks.pump);
        respond_rejected(err, offset);
        return;
    }
    g_hooks.ready = true;
    g_hooks.secure = security == 1u;
    out_begin(STATUS_OK);
}

/* pw_pump_receive's send: each answer frame as u16 length and its bytes, after the u8 count. */
static void hooks_send(void *context, const uint8_t *frame, size_t length)
{
    (void)context;
    if (g_hooks.frames >= 255u || length > 0xFFFFu) { /* the count is a u8; never (a dump is 42 chunks at most) */
        g_out.overflow = true;
        return;
    }
    out_u16((uint16_t)length);
    out_bytes(frame, length);
    g_hooks.frames++;
}

/* PUMP_FRAME (0x19): the ephemeral private key of a handshake message the pump writes, then one
   frame. OK with u8 count and each frame the pump sends as u16 length and its bytes. The key goes
   to the pump as it is, as the reference pump takes it; a plain pump ignores it. */
static void handle_pump_frame(const uint8_t *args, size_t length)
{
    if (length < SECURE_KEY_SIZE) {
        respond_malformed("PUMP_FRAME shorter than its ephemeral key");
        return;
    }
    if (!hooks_ready()) return;
    out_begin(STATUS_OK);
    size_t count_at = g_out.length;
    out_u8(0);
    g_hooks.frames = 0;
    uint16_t err;
    uint32_t offset = 0;
    MEASURED(g_hooks.secure ? FN_PUMP_RECEIVE_SECURE : FN_PUMP_RECEIVE,
             err = pw_pump_receive(&g_hooks.pump, args + SECURE_KEY_SIZE, length - SECURE_KEY_SIZE, args, hooks_send, NULL,
                                   &offset));
    if (err != PW_OK) { /* only an unprepared pump: never once ready */
        respond_rejected(err, offset);
        return;
    }
    if (!g_out.overflow) RESPONSE_BODY[count_at] = (uint8_t)g_hooks.frames;
}

/* PUMP_ADVANCE (0x1A) and PUMP_SET_CLOCK (0x1B): u32. REJECTED FIELD_OUT_OF_RANGE at 0 past the
   clock's end, or for a clock of 0xffffffff. */
static void handle_pump_advance(const uint8_t *args, size_t length)
{
    if (length != 4u) {
        respond_malformed("PUMP_ADVANCE is not a u32");
        return;
    }
    if (!hooks_ready()) return;
    uint16_t err;
    uint32_t offset = 0;
    MEASURED(FN_PUMP_ADVANCE, err = pw_pump_advance(&g_hooks.pump, wire_get_u32(args), &offset));
    if (err != PW_OK) respond_rejected(err, offset);
    else out_begin(STATUS_OK);
}

static void handle_pump_set_clock(const uint8_t *args, size_t length)
{
    if (length != 4u) {
        respond_malformed("PUMP_SET_CLOCK is not a u32");
        return;
    }
    if (!hooks_ready()) return;
    uint16_t err;
    uint32_t offset = 0;
    MEASURED(FN_PUMP_SET_CLOCK, err = pw_pump_set_clock(&g_hooks.pump, wire_get_u32(args), &offset));
    if (err != PW_OK) respond_rejected(err, offset);
    else out_begin(STATUS_OK);
}

/* PUMP_SET_BATTERY (0x1C): u16 mV, REJECTED FIELD_OUT_OF_RANGE at 0 above 5000. */
static void handle_pump_set_battery(const uint8_t *args, size_t length)
{
    if (length != 2u) {
        respond_malformed("PUMP_SET_BATTERY is not a u16");
        return;
    }
    if (!hooks_ready()) return;
    uint16_t millivolts = wire_get_u16(args);
    if (millivolts > HOOK_MAX_BATTERY) {
        respond_rejected(PW_ERR_FIELD_OUT_OF_RANGE, 0);
        return;
    }
    uint16_t err;
    uint32_t offset = 0;
    MEASURED(FN_PUMP_SET_BATTERY, err = pw_pump_set_battery(&g_hooks.pump, millivolts, &offset));
    if (err != PW_OK) respond_rejected(err, offset);
    else out_begin(STATUS_OK);
}

/* PUMP_RESTART (0x1D), no body. */
static void handle_pump_restart(const uint8_t *args, size_t length)
{
    (void)args;
    if (length != 0u) {
        respond_malformed("PUMP_RESTART with bytes after its code");
        return;
    }
    if (!hooks_ready()) return;
    uint16_t err;
    uint32_t offset = 0;
    MEASURED(FN_PUMP_RESTART, err = pw_pump_restart(&g_hooks.pump, &offset));
    if (err != PW_OK) respond_rejected(err, offset);
    else out_begin(STATUS_OK);
}

/* PUMP_OBSERVE (0x1E), no body: OK with the 32 bytes of pw_pump_observe. */
static void handle_pump_observe(const uint8_t *args, size_t length)
{
    (void)args;
    if (length != 0u) {
        respond_malformed("PUMP_OBSERVE with bytes after its code");
        return;
    }
    if (!hooks_ready()) return;
    uint8_t state[PW_PUMP_OBSERVATION_SIZE];
    uint16_t err;
    uint32_t offset = 0;
    MEASURED(FN_PUMP_OBSERVE, err = pw_pump_observe(&g_hooks.pump, state, &offset));
    if (err != PW_OK) {
        respond_rejected(err, offset);
        return;
    }
    out_begin(STATUS_OK);
    out_bytes(state, sizeof state);
}

/* PUMP_READ_MEMORY (0x1F): u8 region, u32 offset, u32 length. OK with the bytes, written straight
   into the response; REJECTED FIELD_OUT_OF_RANGE at 0 for a region outside 1 to 4, at 5 for bytes
   past its end (pw_pump_read_memory checks both before the buffer). */
static void handle_pump_read_memory(const uint8_t *args, size_t length)
{
    if (length != 9u) {
        respond_malformed("PUMP_READ_MEMORY is not u8 region, u32 offset and u32 length");
        return;
    }
    if (!hooks_ready()) return;
    uint32_t region_offset = wire_get_u32(args + 1u), region_length = wire_get_u32(args + 5u);
    out_begin(STATUS_OK);
    size_t room = out_room();
    uint16_t err;
    uint32_t offset = 0;
    MEASURED(FN_PUMP_READ_MEMORY, err = pw_pump_read_memory(&g_hooks.pump, args[0], region_offset, region_length,
                                                            RESPONSE_BODY + g_out.length, room, &offset));
    if (err == PW_ERR_BUFFER_TOO_SMALL && room < region_length) { /* never: a region is 8,960 bytes at most */
        g_out.overflow = true;
        return;
    }
    if (err != PW_OK) {
        respond_rejected(err, offset);
        return;
    }
    out_commit(region_length);
}

static const struct {
    uint8_t code;
    secure_handler handle;
} k_pump_requests[] = {
    { REQ_PUMP_RESET, handle_pump_reset },
    { REQ_PUMP_FRAME, handle_pump_frame },
    { REQ_PUMP_ADVANCE, handle_pump_advance },
    { REQ_PUMP_SET_CLOCK, handle_pump_set_clock },
    { REQ_PUMP_SET_BATTERY, handle_pump_set_battery },
    { REQ_PUMP_RESTART, handle_pump_restart },
    { REQ_PUMP_OBSERVE, handle_pump_observe },
    { REQ_PUMP_READ_MEMORY, handle_pump_read_memory },
};

/* Runs a request of k_pump_requests; false for a code it does not hold. */
static bool pump_dispatch(uint8_t code, const uint8_t *args, size_t length)
{
    for (size_t i = 0; i < sizeof k_pump_requests / sizeof k_pump_requests[0]; i++) {
        if (k_pump_requests[i].code == code) {
            k_pump_requests[i].handle(args, length);
            return true;
        }
    }
    return false;
}

#else /* !TESTEE_PUMP: `pump` not declared, its codes SKIPPED (2.7) */

static bool pump_dispatch(uint8_t code, const uint8_t *args, size_t length)
{
    (void)code;
    (void)args;
    (void)length;
    return false;
}

#endif /* TESTEE_PUMP */

/* ---- HELLO (2.3) and dispatch -------------------------------------------------------------------- */

/* HELLO of any version, the first or not, gets this testee's own version, capabilities and name
   (2.3, 2.7): the runner decides whether it speaks version 1. A second HELLO resets nothing. */
static void handle_hello(const uint8_t *args, size_t length)
{
    (void)args;
    if (length != 1) {
        respond_runtime_error("malformed request: HELLO is its code and one version byte");
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
        respond_runtime_error("malformed request: an empty body, no request code");
        return;
    }
    const uint8_t *args = body + 1;
    size_t n = length - 1;
    switch (body[0]) {
    case REQ_HELLO: handle_hello(args, n); break;
    case REQ_DECODE_FRAME: handle_decode_frame(args, n); break;
    case REQ_DECODE_FIELDS: handle_decode_fields(args, n); break;
    case REQ_CRC16: handle_crc16(args, n); break;
    case REQ_CRC32: handle_crc32(args, n); break;
    case REQ_REASSEMBLER_RESET:
        if (n != 0) respond_runtime_error("malformed request: REASSEMBLER_RESET with bytes after its code");
        else handle_reassembler_reset();
        break;
    case REQ_REASSEMBLER_ADD: handle_reassembler_add(args, n); break;
    case REQ_REASSEMBLER_GIVE_UP:
        if (n != 0) respond_runtime_error("malformed request: REASSEMBLER_GIVE_UP with bytes after its code");
        else handle_reassembler_give_up();
        break;
    case REQ_STREAM: handle_stream(args, n); break;
    case REQ_DERIVE: handle_derive(args, n); break;
    case REQ_LOG: handle_log(args, n); break;
    /* 2.7: a code of 2.4 whose capability is not declared, or a code 2.4 does not list (0x0D to
       0x0F, 0x20 to 0xFF), is SKIPPED, malformed or not. */
    case REQ_SESSION: /* capability `session`: a programmer's session checker (11.3) */
    case REQ_DUMP:    /* capability `dump`: includes zlib inflate (13.1) */
        respond_skipped();
        break;
    default:
        if (!secure_dispatch(body[0], args, n) && !pump_dispatch(body[0], args, n)) respond_skipped();
        break;
    }
}

/* ---- Transport (2.1) ----------------------------------------------------------------------------- */

enum read_result { READ_OK, READ_END_AT_START, READ_END_IN_MIDDLE, READ_ERROR };

/* Reads exactly n bytes from stdin, looping on partial reads. */
static enum read_result read_exact(uint8_t *buf, size_t n)
{
    size_t done = 0;
    while (done < n) {
        long got = platform_read(PLATFORM_STDIN, buf + done, (unsigned long)(n - done));
        if (got < 0) return READ_ERROR; /* an error, not the end of the input */
        if (got == 0) return done == 0 ? READ_END_AT_START : READ_END_IN_MIDDLE;
        if ((unsigned long)got > (unsigned long)(n - done)) return READ_ERROR;
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
    if (g_out.overflow) {
        /* 2.7: nothing of the answer goes out. TESTEE_MAX_RESPONSE is at most the protocol's
           16 MiB, so an answer above the protocol's limit always lands here too. */
        out_begin(STATUS_RUNTIME_ERROR);
        out_cstring("answer too long: above this testee's TESTEE_MAX_RESPONSE of ");
        out_decimal((uint32_t)TESTEE_MAX_RESPONSE);
        out_cstring(" bytes");
    }
    wire_put_u32(g_response, (uint32_t)g_out.length);
    unsigned long total = 4ul + (unsigned long)g_out.length;
    if (platform_write(PLATFORM_STDOUT, g_response, total) != (long)total) {
        platform_stderr_print("testee: cannot write the response\n");
        finish(1);
    }
}

/* 2.7: a request above TESTEE_MAX_MESSAGE (which is at most the protocol's 16 MiB) is read to its
   end without being kept, then refused. */
static void respond_request_too_long(uint32_t length)
{
    out_begin(STATUS_RUNTIME_ERROR);
    out_cstring("request too long: ");
    out_decimal(length);
    if (length > TESTEE_PROTOCOL_LIMIT) {
        out_cstring(" bytes, above the protocol's 16 MiB");
    } else {
        out_cstring(" bytes, above this testee's TESTEE_MAX_MESSAGE of ");
        out_decimal((uint32_t)TESTEE_MAX_MESSAGE);
        out_cstring(" bytes");
    }
}

/* A request above TESTEE_MAX_MESSAGE: read it to its end, so the next request is found. */
static enum read_result discard_request(uint32_t length)
{
    uint32_t left = length;
    while (left > 0) {
        size_t chunk = left < (uint32_t)sizeof g_request ? (size_t)left : sizeof g_request;
        enum read_result r = read_exact(g_request, chunk);
        if (r != READ_OK) return r == READ_ERROR ? READ_ERROR : READ_END_IN_MIDDLE;
        left -= (uint32_t)chunk;
    }
    return READ_OK;
}

/* 2.1, PW-CONF-4: wherever the input ends, even inside a request, the testee exits 0 and answers
   nothing more; a read error is not an end. */
static _Noreturn void end_of_input(enum read_result r, const char *where)
{
    if (r == READ_ERROR) {
        platform_stderr_print("testee: cannot read standard input\n");
        finish(1);
    }
    platform_stderr_print(where);
    finish(0);
}

int main(void)
{
    platform_init();
    secure_init();
    MEASURED(FN_REASSEMBLER_INIT, pw_reassembler_init(&g_reassembler));
    MEASURED(FN_REASSEMBLER_INIT, pw_reassembler_init(&g_stream_reassembler));
    for (;;) {
        uint8_t header[4];
        enum read_result r = read_exact(header, sizeof header);
        if (r == READ_END_AT_START) finish(0); /* stdin ended between requests */
        if (r != READ_OK) end_of_input(r, "testee: input ended inside a message length\n");
        uint32_t length = wire_get_u32(header);
        if (length > TESTEE_MAX_MESSAGE) {
            r = discard_request(length);
            if (r != READ_OK) end_of_input(r, "testee: input ended inside a request\n");
            respond_request_too_long(length);
        } else {
            r = read_exact(g_request, (size_t)length);
            if (r != READ_OK) end_of_input(r, "testee: input ended inside a request\n");
            dispatch(g_request, (size_t)length);
        }
        send_response();
    }
}
