/*
 * pumpwire.h: the C API of PumpWireCore, the PumpWire version 1 wire codec (spec/pumpwire-v1.md).
 *
 * The functions are written in Swift and exported with @_cdecl; the same object links into
 * firmware built from Embedded Swift (Firmware/) and into host programs (the PumpWireC product).
 *
 * Rules every function keeps:
 *   - No heap, no global mutable state: the caller owns every buffer and every state struct,
 *     and functions touch nothing else. Functions are reentrant.
 *   - No traps: any input bytes give a value or an error (spec PW-ENC-1, PW-FRAME-10).
 *   - A function that can fail returns PW_OK (0) or a code of enum pw_error_code (spec section
 *     10), and stores the error's byte offset in *error_offset when error_offset is not NULL.
 *     Offsets count from the start of the frame for frame functions and from payload byte 0 for
 *     message functions (PW-ENC-6). On failure, output structs hold unspecified values.
 *   - An encoder checks what it is given before it writes: a value a decoder would reject is
 *     refused with the decoder's error (PW-ENC-5) whatever the size of the output buffer, and only
 *     then is a buffer too short PW_ERR_BUFFER_TOO_SMALL, with the offset in the output where it
 *     ran out. Nothing is ever written past `capacity`. A NULL pointer where a struct is required
 *     is PW_ERR_BUFFER_TOO_SMALL at 0; NULL input bytes read as empty. A size_t above PTRDIFF_MAX,
 *     which no object can have, counts as 0: input reads as empty, an output buffer is too small
 *     (pw_scanner_resynchronize's `start` excepted, see there).
 *   - A `const` argument is only read, never written: it may lie in read-only memory (flash).
 *   - A state struct (pw_reassembler, pw_scanner, pw_log_reader, pw_handshake,
 *     pw_sealed_channel, pw_secure_pump, pw_pump) must be prepared by its init
 *     function. One that was not (never initialised, zeroed, overwritten) fails a check word over
 *     its contents (random bytes pass it with probability 2^-64) and is refused without being read
 *     or written: functions that return an error code return PW_ERR_BUFFER_TOO_SMALL at 0, as for
 *     NULL, pw_*_next and pw_reassembler_in_progress return false, and pw_scanner_resynchronize
 *     does nothing. A byte-for-byte copy of a prepared struct works as the original; a copy that
 *     outlives the bytes it reads is the caller's to avoid, as it cannot be detected.
 *   - The ABI uses fixed-width integers, size_t and bool only; the enums below name values and
 *     are never the type of a field or parameter, so -fshort-enums on either side does not matter.
 *   - Structs follow the spec's field order and widths, named after the spec's fields. Enumerated
 *     fields and bit sets hold their wire values (the PW_* constants below). Decoding fills every
 *     field, with absent groups and unused array elements zero; encoding reads only the fields
 *     the encoding uses (the first `count` elements, present groups) and refuses any value a
 *     decoder would reject, with the error a decoder would report (PW-ENC-5).
 */
#ifndef PUMPWIRE_H
#define PUMPWIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pumpwire_crypto.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Limits (spec Appendix A) ---------------------------------------------------------------- */

#define PW_HEADER_SIZE 9
#define PW_MAX_FRAME_PAYLOAD 240
#define PW_AUTHENTICATION_BLOCK_SIZE 20
#define PW_AUTHENTICATION_TAG_SIZE 16
#define PW_MAX_FRAME_SIZE 271 /* header + payload + authentication block + CRC */
#define PW_FRAGMENT_DATA_SIZE 236
#define PW_MAX_MESSAGE_PAYLOAD 1024
#define PW_MAX_FRAGMENTS 5
/* The most bytes pw_message_encode_frames writes: 5 fragments of a 1024-byte payload. */
#define PW_MAX_ENCODED_MESSAGE_SIZE 1099
#define PW_MAX_DAY_STEPS 48
#define PW_MAX_PERIODIC_BOLUSES 8
#define PW_MAX_TEXT_LENGTH 16
#define PW_CHUNK_DATA_SIZE 218
#define PW_MAX_DUMP_LENGTH 1048576
#define PW_LOG_RECORD_SIZE 20
#define PW_NEVER 0xFFFFFFFFu /* pump clock "never" (PW-UNIT-1) */

/* ---- Error codes (spec section 10; stable, never renumbered) ---------------------------------- */

enum pw_error_code {
    PW_OK = 0,
    PW_ERR_TRUNCATED = 1,
    PW_ERR_BAD_SYNC = 2,
    PW_ERR_UNSUPPORTED_VERSION = 3,
    PW_ERR_UNKNOWN_MESSAGE_TYPE = 4,
    PW_ERR_LENGTH_MISMATCH = 5,
    PW_ERR_TRAILING_BYTES = 6,
    PW_ERR_BAD_CRC = 7,
    PW_ERR_PAYLOAD_TOO_LARGE = 8,
    PW_ERR_NON_CANONICAL = 9,
    PW_ERR_FIELD_OUT_OF_RANGE = 10,
    PW_ERR_TOO_MANY_ITEMS = 11,
    PW_ERR_INVALID_TEXT = 12,
    PW_ERR_DAY_PROFILE_GAP = 13,
    PW_ERR_DAY_PROFILE_ORDER = 14,
    PW_ERR_MODE_PROFILE_MISMATCH = 15,
    PW_ERR_DAILY_DOSE_EXCEEDS_LIMIT = 16,
    PW_ERR_THRESHOLD_NOT_BELOW_CAPACITY = 17,
    PW_ERR_BOLUS_ORDER = 18,
    PW_ERR_BUFFER_TOO_SMALL = 19,
    PW_ERR_FRAGMENT_COUNT_INVALID = 32,
    PW_ERR_FRAGMENT_INDEX_OUT_OF_RANGE = 33,
    PW_ERR_FRAGMENT_SIZE_INVALID = 34,
    PW_ERR_FRAGMENT_CONFLICT = 35,
    PW_ERR_FRAGMENT_MISSING = 36,
    PW_ERR_FRAGMENT_INTERLEAVED = 37,
    PW_ERR_CHUNK_INDEX_OUT_OF_RANGE = 48,
    PW_ERR_CHUNK_COUNT_MISMATCH = 49,
    PW_ERR_CHUNK_OFFSET_MISMATCH = 50,
    PW_ERR_CHUNK_SIZE_MISMATCH = 51,
    PW_ERR_CHUNK_BEYOND_TOTAL = 52,
    PW_ERR_CHUNK_IMAGE_MISMATCH = 53,
    PW_ERR_CHUNK_DATA_CONFLICT = 54,
    PW_ERR_CHUNKS_MISSING = 55,
    PW_ERR_IMAGE_CRC_FAILED = 56,
    PW_ERR_INFLATE_FAILED = 57,
    PW_ERR_IMAGE_LENGTH_MISMATCH = 58,
    PW_ERR_COMPRESSION_RATIO_EXCEEDED = 59,
    PW_ERR_RECORD_CRC_MISMATCH = 60,
    PW_ERR_RECORD_TRUNCATED = 61,
    /* Session findings (11.3): reported by session checkers with a frame index. */
    PW_ERR_SEQUENCE_GAP = 64,
    PW_ERR_REQUEST_WHILE_OUTSTANDING = 65,
    PW_ERR_UNSOLICITED_RESPONSE = 66,
    PW_ERR_SEQUENCE_MISMATCH = 67,
    PW_ERR_UNEXPECTED_RESPONSE_TYPE = 68,
    PW_ERR_DIGEST_MISMATCH = 69,
    PW_ERR_RECEIPT_MISMATCH = 70,
    PW_ERR_IMAGE_CRC_MISMATCH = 71,
    PW_ERR_NO_RESPONSE = 72,
    PW_ERR_WRONG_REFUSAL = 73,
    PW_ERR_CHUNK_CONFLICT = 74,
    PW_ERR_ENCODING_NOT_ALLOWED = 75,
    /* Capture readers (section 14): host validators only. */
    PW_ERR_CAPTURE_TRUNCATED = 80,
    PW_ERR_CAPTURE_MALFORMED = 81,
    PW_ERR_PACKET_TRUNCATED = 82,
    PW_ERR_LINK_TYPE_UNSUPPORTED = 83,
    /* The security layer (spec/security.md section 12): sealed frames and handshakes. */
    PW_ERR_AUTHENTICATION_FAILED = 96,
    PW_ERR_REPLAYED = 97,
    PW_ERR_COUNTER_ROLLBACK = 98,
    PW_ERR_STALE_SESSION = 99,
    PW_ERR_NOT_SEALED = 100,
    PW_ERR_COUNTER_EXHAUSTED = 101,
    PW_ERR_HANDSHAKE_FAILED = 102,
    PW_ERR_LOW_ORDER_KEY = 103,
    PW_ERR_HANDSHAKE_OUT_OF_ORDER = 104,
    /* Refusals a pump sends in a negativeAcknowledgement. */
    PW_ERR_NOT_PERMITTED = 128,
    PW_ERR_DRUG_MISMATCH = 129,
    PW_ERR_CONCENTRATION_MISMATCH = 130,
    PW_ERR_RESERVOIR_OVERFILL = 131,
    PW_ERR_BUSY = 132,
    PW_ERR_AUTHENTICATION_REQUIRED = 133,
    /* Refusals only a secure pump sends (spec/security.md section 12). */
    PW_ERR_ROLE_NOT_PERMITTED = 134,
    PW_ERR_DUPLICATE_COMMAND = 135,
    PW_ERR_PATIENT_BOLUS_DOSE_EXCEEDED = 136,
    PW_ERR_PATIENT_BOLUS_COUNT_EXCEEDED = 137,
    PW_ERR_PATIENT_BOLUS_LOCKOUT = 138
};

/* The spec's name of an error code ("BAD_CRC"), or "UNKNOWN" for a code the table lacks.
   The string is constant and NUL-terminated. */
const char *pw_error_name(uint16_t code);

/* ---- Wire constants ------------------------------------------------------------------------- */

enum pw_message_type {                 /* spec section 8 */
    PW_TYPE_INTERROGATION_REQUEST = 0x01,
    PW_TYPE_PRESCRIPTION_BLOCK = 0x02,
    PW_TYPE_BOLUS_SCHEDULE = 0x03,
    PW_TYPE_REFILL_CONFIRMATION = 0x04,
    PW_TYPE_MEMORY_DUMP_REQUEST = 0x05,
    PW_TYPE_PUMP_STATUS = 0x81,
    PW_TYPE_REFILL_RECEIPT = 0x84,
    PW_TYPE_MEMORY_DUMP_CHUNK = 0x85,
    PW_TYPE_ACKNOWLEDGEMENT = 0xF0,
    PW_TYPE_NEGATIVE_ACKNOWLEDGEMENT = 0xF1
};

enum pw_frame_flag { PW_FRAME_FRAGMENT = 0x01, PW_FRAME_AUTHENTICATED = 0x02 }; /* 4.1 */

enum pw_drug {                         /* 9.3 */
    PW_DRUG_MORPHINE = 1, PW_DRUG_HYDROMORPHONE = 2, PW_DRUG_BACLOFEN = 3, PW_DRUG_ZICONOTIDE = 4,
    PW_DRUG_BUPIVACAINE = 5, PW_DRUG_CLONIDINE = 6, PW_DRUG_FENTANYL = 7, PW_DRUG_SUFENTANIL = 8
};

enum pw_delivery_mode { PW_MODE_FIXED_RATE = 1, PW_MODE_CONTINUOUS = 2, PW_MODE_TIME_OF_DAY = 3 };

enum pw_status_flag {                  /* 9.2 statusFlags */
    PW_STATUS_PRESCRIPTION_STORED = 0x01,
    PW_STATUS_BOLUS_SCHEDULE_STORED = 0x02,
    PW_STATUS_DELIVERY_SUSPENDED = 0x04,
    PW_STATUS_ELECTIVE_REPLACEMENT_INDICATOR = 0x08
};

enum pw_active_alarm {                 /* 9.2 activeAlarms */
    PW_ALARM_LOW_RESERVOIR = 0x01, PW_ALARM_EMPTY_RESERVOIR = 0x02,
    PW_ALARM_BATTERY_END_OF_SERVICE = 0x04, PW_ALARM_MOTOR_STALL = 0x08,
    PW_ALARM_CATHETER_OCCLUSION = 0x10, PW_ALARM_MEMORY_ERROR = 0x20,
    PW_ALARM_CLOCK_LOST = 0x40, PW_ALARM_PUMP_RESET = 0x80
};

enum pw_bolus_group {                  /* 9.4 flags: which groups are present */
    PW_BOLUS_CLINICIAN = 0x01, PW_BOLUS_PRIMING = 0x02, PW_BOLUS_PATIENT = 0x04
};

enum pw_priming_kind { PW_PRIMING_CATHETER = 1, PW_PRIMING_BRIDGE = 2 };

enum pw_memory_region {                /* 9.7 */
    PW_REGION_EVENT_LOG = 1, PW_REGION_ALARM_LOG = 2, PW_REGION_THERAPY_HISTORY = 3,
    PW_REGION_RAW_ADDRESS = 4
};

enum pw_dump_flag { PW_DUMP_COMPRESSION_ALLOWED = 0x01 };
enum pw_dump_encoding { PW_ENCODING_RAW = 0, PW_ENCODING_ZLIB = 1 };

/* ---- Messages (spec section 9) ---------------------------------------------------------------- */

/* Printable ASCII text of 1 to 16 bytes (PW-ENC-8). Decoding NUL-terminates `text`. */
typedef struct pw_text {
    uint8_t length;
    char text[PW_MAX_TEXT_LENGTH + 1];
} pw_text;

/* 9.2 pumpStatus (0x81). The interrogationRequest (0x01) has no fields. */
typedef struct pw_pump_status {
    pw_text model;
    pw_text serial;
    uint8_t firmware_major;
    uint8_t firmware_minor;
    uint8_t firmware_patch;
    uint16_t battery_millivolts;
    uint8_t status_flags;              /* enum pw_status_flag bits */
    uint32_t reservoir_volume_microlitres;
    uint16_t active_alarms;            /* enum pw_active_alarm bits */
    uint32_t pump_clock_time;
    uint32_t prescription_digest;
    uint32_t bolus_schedule_digest;
} pw_pump_status;

/* 9.3 prescriptionBlock (0x02). */
typedef struct pw_day_profile_step {
    uint16_t start_minute;
    uint32_t dose_rate_nanograms_per_day;
} pw_day_profile_step;

typedef struct pw_prescription_block {
    uint8_t drug;                      /* enum pw_drug */
    uint8_t mode;                      /* enum pw_delivery_mode */
    uint32_t concentration_micrograms_per_millilitre;
    uint32_t reservoir_capacity_microlitres;
    uint32_t low_reservoir_threshold_microlitres;
    uint16_t catheter_volume_microlitres;
    uint32_t max_daily_dose_nanograms;
    uint8_t step_count;
    pw_day_profile_step steps[PW_MAX_DAY_STEPS];
} pw_prescription_block;

/* 9.4 bolusSchedule (0x03). A group is on the wire only when its bit is set in `flags`. */
typedef struct pw_clinician_bolus {
    uint32_t dose_nanograms;
    uint16_t duration_minutes;
} pw_clinician_bolus;

typedef struct pw_priming_bolus {
    uint8_t kind;                      /* enum pw_priming_kind */
    uint16_t volume_microlitres;
    uint16_t duration_minutes;
} pw_priming_bolus;

typedef struct pw_patient_bolus {
    uint32_t dose_nanograms;
    uint16_t duration_minutes;
    uint16_t lockout_minutes;
    uint8_t max_per_day;
} pw_patient_bolus;

typedef struct pw_periodic_bolus {
    uint16_t start_minute;
    uint32_t dose_nanograms;
    uint16_t duration_minutes;
} pw_periodic_bolus;

typedef struct pw_bolus_schedule {
    uint8_t flags;                     /* enum pw_bolus_group bits */
    pw_clinician_bolus clinician_bolus;
    pw_priming_bolus priming_bolus;
    pw_patient_bolus patient_bolus;
    uint8_t periodic_count;
    pw_periodic_bolus periodic_boluses[PW_MAX_PERIODIC_BOLUSES];
} pw_bolus_schedule;

/* 9.5 refillConfirmation (0x04). */
typedef struct pw_refill_confirmation {
    uint8_t drug;                      /* enum pw_drug */
    uint32_t concentration_micrograms_per_millilitre;
    uint32_t volume_withdrawn_microlitres;
    uint32_t volume_added_microlitres;
    uint32_t resulting_reservoir_microlitres;
    uint32_t refill_time;
} pw_refill_confirmation;

/* 9.6 refillReceipt (0x84). */
typedef struct pw_refill_receipt {
    uint32_t confirmation_digest;
    uint32_t resulting_reservoir_microlitres;
    uint32_t low_reservoir_alarm_time;
} pw_refill_receipt;

/* 9.7 memoryDumpRequest (0x05). */
typedef struct pw_memory_dump_request {
    uint8_t region;                    /* enum pw_memory_region */
    uint8_t flags;                     /* enum pw_dump_flag bits */
    uint32_t offset;
    uint32_t length;
} pw_memory_dump_request;

/* 9.8 memoryDumpChunk (0x85). */
typedef struct pw_memory_dump_chunk {
    uint8_t region;                    /* enum pw_memory_region */
    uint8_t encoding;                  /* enum pw_dump_encoding */
    uint16_t chunk_index;
    uint16_t chunk_count;
    uint32_t region_offset;
    uint32_t image_length;
    uint32_t image_crc32;
    uint32_t data_offset;
    uint8_t data_length;
    uint8_t data[PW_CHUNK_DATA_SIZE];
} pw_memory_dump_chunk;

/* 9.9 acknowledgement (0xF0). */
typedef struct pw_acknowledgement {
    uint8_t acknowledged_type;
    uint32_t digest;
} pw_acknowledgement;

/* 9.10 negativeAcknowledgement (0xF1). */
typedef struct pw_negative_acknowledgement {
    uint8_t rejected_type;
    uint16_t error_code;               /* enum pw_error_code */
    uint16_t error_offset;             /* 0xFFFF: no offset */
} pw_negative_acknowledgement;

/* A message of a type the registry does not list (PW-FRAME-8): its raw payload. */
typedef struct pw_unknown_message {
    uint16_t length;
    uint8_t payload[PW_MAX_MESSAGE_PAYLOAD];
} pw_unknown_message;

/* Any message: `type` (enum pw_message_type, or any other code for an unknown message) says
   which member of `body` holds it. An interrogationRequest uses no member. */
typedef struct pw_message {
    uint8_t type;
    union {
        pw_pump_status pump_status;
        pw_prescription_block prescription_block;
        pw_bolus_schedule bolus_schedule;
        pw_refill_confirmation refill_confirmation;
        pw_refill_receipt refill_receipt;
        pw_memory_dump_request memory_dump_request;
        pw_memory_dump_chunk memory_dump_chunk;
        pw_acknowledgement acknowledgement;
        pw_negative_acknowledgement negative_acknowledgement;
        pw_unknown_message unknown;
    } body;
} pw_message;

/* Decodes a payload of message type `type` (spec 7 and 9): every check, offsets from payload
   byte 0. A type the registry does not list decodes as an unknown message (PW-FRAME-8). */
uint16_t pw_message_decode(uint8_t type, const uint8_t *payload, size_t length,
                           pw_message *message, uint32_t *error_offset);

/* Writes the canonical payload of `message` into out[0..capacity); *written gets its length. */
uint16_t pw_message_encode(const pw_message *message, uint8_t *out, size_t capacity,
                           size_t *written, uint32_t *error_offset);

/* The CRC-32 of the canonical payload: the digest an acknowledgement carries (PW-CRC-3). */
uint16_t pw_message_digest(const pw_message *message, uint32_t *digest, uint32_t *error_offset);

/* ---- Frames (spec sections 4 and 5) ------------------------------------------------------------ */

typedef struct pw_authentication_block {    /* section 6 */
    uint32_t freshness_counter;
    uint8_t tag[PW_AUTHENTICATION_TAG_SIZE];
} pw_authentication_block;

/* One fragment frame's content (5.1): which message it belongs to, and its part of it. */
typedef struct pw_fragment {
    uint8_t message_type;
    uint8_t index;
    uint8_t count;
    uint16_t total_length;
    uint8_t data_length;
    uint8_t data[PW_FRAGMENT_DATA_SIZE];
} pw_fragment;

/* One frame. `flags` holds the wire flags: with PW_FRAME_FRAGMENT the frame carries `fragment`,
   without it `message`; with PW_FRAME_AUTHENTICATED it carries `authentication` and is sealed
   (PW-AUTH-3): its payload is ciphertext, never decoded as a message. A sealed frame's ciphertext
   is in `message.body.unknown` (whatever `message.type`, the frame's type code) without
   PW_FRAME_FRAGMENT, and in `fragment.data` with it; pw_frame_ciphertext finds it. */
typedef struct pw_frame {
    uint16_t sequence;
    uint8_t flags;                     /* enum pw_frame_flag bits */
    pw_authentication_block authentication;
    pw_fragment fragment;
    pw_message message;
} pw_frame;

/* The frame's messageType, from whichever part it carries. */
static inline uint8_t pw_frame_message_type(const pw_frame *frame) {
    return (frame->flags & PW_FRAME_FRAGMENT) ? frame->fragment.message_type : frame->message.type;
}

/* Whether the frame is sealed (PW-AUTH-3). Sealed is never "authenticated": only opening it with
   the session's keys tells that (PW-AUTH-4, spec/security.md). */
static inline bool pw_frame_is_sealed(const pw_frame *frame) {
    return (frame->flags & PW_FRAME_AUTHENTICATED) != 0;
}

/* A sealed frame's ciphertext (the payload after the fragment header, if any) and its length;
   NULL and 0 for a frame that is not sealed. */
static inline const uint8_t *pw_frame_ciphertext(const pw_frame *frame, size_t *length) {
    if (!pw_frame_is_sealed(frame)) { *length = 0; return NULL; }
    if (frame->flags & PW_FRAME_FRAGMENT) { *length = frame->fragment.data_length; return frame->fragment.data; }
    *length = frame->message.body.unknown.length;
    return frame->message.body.unknown.payload;
}

/* Decodes exactly one frame: every check of 4.2 in order, then the fragment header (5.2) or
   the payload. Bytes after the frame are TRAILING_BYTES (PW-FRAME-7). */
uint16_t pw_frame_decode(const uint8_t *bytes, size_t length, pw_frame *frame,
                         uint32_t *error_offset);

/* Writes exactly this frame (a message of at most 240 payload bytes, or one fragment). Its checks
   come in a decoder's order (4.2) and before the buffer's: a larger payload is PAYLOAD_TOO_LARGE
   at 7 (PW-FRAME-5) whatever `capacity`; use pw_message_encode_frames to fragment it. */
uint16_t pw_frame_encode(const pw_frame *frame, uint8_t *out, size_t capacity, size_t *written,
                         uint32_t *error_offset);

/* Writes `message` as one frame, or as its fragments back to back when its payload exceeds 240
   bytes (PW-FRAG-1). `authentication` may be NULL; a fragmented message cannot carry one
   (NON_CANONICAL at 4). At most PW_MAX_ENCODED_MESSAGE_SIZE bytes. Errors carry frame offsets for
   one frame and payload offsets for a fragmented message. */
uint16_t pw_message_encode_frames(const pw_message *message, uint16_t sequence,
                                  const pw_authentication_block *authentication, uint8_t *out,
                                  size_t capacity, size_t *written, uint32_t *error_offset);

/* ---- Checksums (spec section 3) ----------------------------------------------------------------- */

/* CRC-16/IBM-3740 of the bytes: the frame and record CRC. */
uint16_t pw_crc16(const uint8_t *bytes, size_t length);
/* Continues a CRC-16: pw_crc16_update(pw_crc16(a), b) == pw_crc16(a followed by b).
   Start from PW_CRC16_INITIAL for nothing checked yet. */
#define PW_CRC16_INITIAL 0xFFFFu
uint16_t pw_crc16_update(uint16_t crc, const uint8_t *bytes, size_t length);

/* CRC-32 (ISO-HDLC, as zlib's crc32) of the bytes: digests and image checks. */
uint32_t pw_crc32(const uint8_t *bytes, size_t length);
/* Continues a CRC-32 as zlib's crc32(crc, bytes, length) does; start from 0. */
uint32_t pw_crc32_update(uint32_t crc, const uint8_t *bytes, size_t length);

/* ---- Reassembly (spec 5.3 and 5.4) --------------------------------------------------------------- */

/* One message being put together from fragments. Opaque: only these functions touch it.
   It holds the message's 1 KiB; place it wherever suits (static, stack, a pool). */
typedef struct pw_reassembler {
    uint64_t opaque[140];
} pw_reassembler;

enum pw_reassembly_progress {
    PW_REASSEMBLY_ACCEPTED = 0,        /* fragments still missing */
    PW_REASSEMBLY_DUPLICATE = 1,       /* an identical duplicate (PW-FRAG-8) */
    PW_REASSEMBLY_COMPLETE = 2         /* take the message with pw_reassembler_take_message */
};

/* Empties the reassembler. PW_ERR_BUFFER_TOO_SMALL only if this header and the library disagree
   on the state's size (a build error; tests check it). */
uint16_t pw_reassembler_init(pw_reassembler *reassembler);

/* Adds a decoded fragment frame. A frame without PW_FRAME_FRAGMENT is NON_CANONICAL at 4. On
   FRAGMENT_CONFLICT or FRAGMENT_INTERLEAVED (PW-FRAG-9, PW-FRAG-10) the frame is not added; after
   FRAGMENT_INTERLEAVED, give up the message in progress and add the frame again. */
uint16_t pw_reassembler_add(pw_reassembler *reassembler, const pw_frame *frame, uint8_t *progress,
                            uint32_t *error_offset);

/* After PW_REASSEMBLY_COMPLETE: decodes the reassembled payload (PW-FRAG-12, payload offsets)
   and empties the reassembler (PW-FRAG-13), whether or not the payload decodes. */
uint16_t pw_reassembler_take_message(pw_reassembler *reassembler, pw_message *message,
                                     uint32_t *error_offset);

/* Abandons the message in progress: PW_OK if there was none, else FRAGMENT_MISSING at the payload
   offset of the first missing fragment (PW-FRAG-11). The reassembler is then empty. */
uint16_t pw_reassembler_give_up(pw_reassembler *reassembler, uint32_t *error_offset);

bool pw_reassembler_in_progress(const pw_reassembler *reassembler);

/* ---- Byte streams (spec 4.3) ------------------------------------------------------------------- */

/* Reads frames out of a byte stream that stays in place while the scanner reads it. Opaque. */
typedef struct pw_scanner {
    uint64_t opaque[4];
} pw_scanner;

enum pw_scan_kind {
    PW_SCAN_FRAME = 0,                 /* a frame passed 4.2 steps 1 to 9 (9: the fragment header) */
    PW_SCAN_REJECTED = 1               /* bytes rejected: noise (BAD_SYNC) or a bad frame */
};

typedef struct pw_scan_event {
    uint8_t kind;                      /* enum pw_scan_kind */
    size_t start;                      /* stream offset of the frame or of the rejected bytes */
    size_t length;                     /* PW_SCAN_FRAME: the frame's length */
    uint16_t error_code;               /* PW_SCAN_REJECTED: the error, its offset from start */
    uint32_t error_offset;
} pw_scan_event;

/* PW_ERR_BUFFER_TOO_SMALL only if this header and the library disagree on the state's size. */
uint16_t pw_scanner_init(pw_scanner *scanner, const uint8_t *bytes, size_t length);
/* The next event, or false at the end of the stream. A PW_SCAN_FRAME's bytes are
   bytes[start .. start + length); decode them with pw_frame_decode. */
bool pw_scanner_next(pw_scanner *scanner, pw_scan_event *event);
/* After a frame whose later checks failed: go on from the next sync word after `start` (4.3).
   Any size_t is safe: a `start` at or past the end of the stream, SIZE_MAX among them, moves the
   scanner to the end, so that the next pw_scanner_next returns false. */
void pw_scanner_resynchronize(pw_scanner *scanner, size_t start);

/* ---- Derived quantities (spec 2.3) ------------------------------------------------------------- */

/* Arithmetic only: the structs must pass every field check of 9.3 and 9.5 (errors as from
   pw_message_encode, payload offsets), but nothing is compared between them; the pump's refill
   checks (PW-REFILL-5: same drug, same concentration) are the caller's. */

/* D2 (nL/day) and D3 (ng/day) of a prescription. */
uint16_t pw_daily_basal(const pw_prescription_block *prescription, uint64_t *volume_nanolitres,
                        uint64_t *dose_nanograms, uint32_t *error_offset);

/* D5: the low-reservoir alarm time for `refill` under the stored `prescription` (PW-REFILL-4). */
uint16_t pw_low_reservoir_alarm_time(const pw_prescription_block *prescription,
                                     const pw_refill_confirmation *refill, uint32_t *alarm_time,
                                     uint32_t *error_offset);

/* ---- Log records (spec 13.4) ------------------------------------------------------------------- */

enum pw_log_record_type {
    PW_RECORD_THERAPY_CHANGED = 0x01, PW_RECORD_BOLUS_SCHEDULE_CHANGED = 0x02,
    PW_RECORD_BOLUS_DELIVERED = 0x03, PW_RECORD_REFILLED = 0x04, PW_RECORD_CLOCK_CHANGED = 0x05,
    PW_RECORD_ALARM_RAISED = 0x10, PW_RECORD_ALARM_CLEARED = 0x11, PW_RECORD_DAILY_DELIVERY = 0x20,
    /* The security layer's (security.md 11). */
    PW_RECORD_DEVICE_PAIRED = 0x30, PW_RECORD_DEVICE_UNPAIRED = 0x31, PW_RECORD_SESSION_STARTED = 0x32,
    PW_RECORD_SESSION_ENDED = 0x33, PW_RECORD_SECURITY_REJECTION = 0x34
};

typedef struct pw_therapy_changed_record {
    uint32_t prescription_digest;
    uint32_t previous_digest;
    uint8_t source;                    /* 1 programmer, 2 factoryDefault */
} pw_therapy_changed_record;

typedef struct pw_bolus_schedule_changed_record {
    uint32_t schedule_digest;
    uint32_t previous_digest;
} pw_bolus_schedule_changed_record;

typedef struct pw_bolus_delivered_record {
    uint8_t kind;                      /* 1 clinician, 2 priming, 3 patient, 4 periodic */
    uint8_t outcome;                   /* 0 completed, 1 stoppedByProgrammer, 2 stoppedByAlarm */
    uint32_t volume_nanolitres;
    uint32_t dose_nanograms;
    uint16_t duration_minutes;
} pw_bolus_delivered_record;

typedef struct pw_refilled_record {
    uint8_t drug;                      /* enum pw_drug */
    uint32_t concentration_micrograms_per_millilitre;
    uint32_t resulting_reservoir_microlitres;
} pw_refilled_record;

typedef struct pw_clock_changed_record {
    uint32_t previous_time;
} pw_clock_changed_record;

typedef struct pw_alarm_record {       /* alarmRaised (cause 0) and alarmCleared */
    uint8_t alarm;                     /* 1 lowReservoir .. 9 batteryElectiveReplacement */
    uint8_t cause;                     /* alarmCleared: 1 resolved, 2 acknowledged */
    uint32_t detail;
} pw_alarm_record;

typedef struct pw_daily_delivery_record {
    uint32_t basal_volume_nanolitres;
    uint32_t bolus_volume_nanolitres;
    uint16_t bolus_count;
} pw_daily_delivery_record;

typedef struct pw_device_slot_record {  /* devicePaired and deviceUnpaired */
    uint8_t slot;                      /* 0 to 3 */
    uint8_t role;                      /* 1 clinician, 2 patient */
    uint32_t key_digest;               /* CRC-32 of the device's static public key */
    uint8_t by_slot;                   /* the session's slot, 0xff for a pairing */
} pw_device_slot_record;

typedef struct pw_session_started_record {
    uint8_t slot;
    uint8_t session_epoch;
    uint8_t pattern;                   /* 1 pairing, 2 session */
    uint8_t handshake_hash_prefix[4];  /* the first 4 bytes of the handshake hash */
} pw_session_started_record;

typedef struct pw_session_ended_record {
    uint8_t slot;
    uint8_t session_epoch;
    uint8_t reason;                    /* 1 closed, 2 replaced, 3 idle, 4 revoked, 5 counterExhausted */
    uint32_t frames_accepted;
} pw_session_ended_record;

typedef struct pw_security_rejection_record {
    uint8_t slot;                      /* 0 to 3, 0xff for none */
    uint8_t message_type;
    uint16_t error_code;
    uint16_t count;                    /* at least 1 */
    uint8_t session_epoch;
} pw_security_rejection_record;

typedef struct pw_log_record {
    uint8_t record_type;               /* enum pw_log_record_type: which member of body */
    uint32_t time;
    union {
        pw_therapy_changed_record therapy_changed;
        pw_bolus_schedule_changed_record bolus_schedule_changed;
        pw_bolus_delivered_record bolus_delivered;
        pw_refilled_record refilled;
        pw_clock_changed_record clock_changed;
        pw_alarm_record alarm_raised;
        pw_alarm_record alarm_cleared;
        pw_daily_delivery_record daily_delivery;
        pw_device_slot_record device_paired;
        pw_device_slot_record device_unpaired;
        pw_session_started_record session_started;
        pw_session_ended_record session_ended;
        pw_security_rejection_record security_rejection;
    } body;
} pw_log_record;

/* Writes the 20-byte record, its CRC included. A record a log reader would reject is refused with
   the reader's error and offset before `out` is looked at (NULL `out`: PW_ERR_BUFFER_TOO_SMALL). */
uint16_t pw_log_record_encode(const pw_log_record *record, uint8_t out[PW_LOG_RECORD_SIZE],
                              uint32_t *error_offset);

/* Reads a log image slot by slot (PW-LOG-1, PW-LOG-2). Opaque; the image stays in place. */
typedef struct pw_log_reader {
    uint64_t opaque[6];
} pw_log_reader;

enum pw_log_item_kind {
    PW_LOG_RECORD = 0,                 /* `record` at `offset` */
    PW_LOG_ERASED = 1,                 /* `erased_slots` erased slots from `offset` */
    PW_LOG_REJECTED = 2                /* the slot at `offset` failed with error_code/error_offset */
};

typedef struct pw_log_item {
    uint8_t kind;                      /* enum pw_log_item_kind */
    uint32_t offset;                   /* image offset of the slot */
    uint32_t erased_slots;
    uint16_t error_code;
    uint32_t error_offset;             /* image offset of the failing field */
    pw_log_record record;
} pw_log_item;

/* `region` is a log region (1 to 3), or 0 (not a wire value) to accept the record types of every
   log region; anything else, rawAddress included, is FIELD_OUT_OF_RANGE at 0.
   `region_offset` places the image in its region. */
uint16_t pw_log_reader_init(pw_log_reader *reader, const uint8_t *image, size_t length,
                            uint8_t region, uint32_t region_offset, uint32_t *error_offset);
/* The next item, or false at the end of the image. */
bool pw_log_reader_next(pw_log_reader *reader, pw_log_item *item);

/* ---- Secure session (spec/security.md): handshakes and sealed frames ------------------------ */
/*
 * The Noise handshakes of pairing (XXpsk3, pattern 1) and session (KK, pattern 2) and the sealed
 * channel of PW-SEC-8 to PW-SEC-12, over a cryptography provider (pumpwire_crypto.h) the caller
 * fills. A state struct keeps the provider's address: the table (not only its functions) must
 * stay valid and unchanged while the struct is used, and a copy of the struct uses the same
 * table. Secrets (keys, chaining key) live in the struct: erase it (pw_handshake_erase,
 * pw_sealed_channel_erase) when done (PW-SEC-19). Handshake functions work on Noise messages (the
 * `noiseMessage` field of handshakeRequest, handshakeResponse and handshakeFinish), not frames;
 * their error offsets are offsets in the Noise message:
 *   - LOW_ORDER_KEY (PW-SEC-4) at the offset of the remote key in the message that carried it:
 *     the message read, or, for a key found all-zero while writing (a pairing's pump at `ee` of
 *     message 2), the message read before; 0xffff for a key known before the handshake (KK);
 *   - HANDSHAKE_FAILED at the offset of the tag that fails, 0xffff for a provider failure, and
 *     for every call after a failure (a failed handshake stays failed);
 *   - HANDSHAKE_OUT_OF_ORDER at 0xffff for a message written or read out of turn;
 *   - LENGTH_MISMATCH for a message too short for its tokens, BUFFER_TOO_SMALL for an output.
 * A frame offset is the Noise message's offset plus 11 in a handshakeRequest, 9 otherwise.
 * Sealed-frame functions report frame offsets, as PW-SEC-10 says.
 */

#define PW_HANDSHAKE_PAIRING 1         /* Noise_XXpsk3_25519_ChaChaPoly_SHA256 (the `pattern` byte) */
#define PW_HANDSHAKE_SESSION 2         /* Noise_KK_25519_ChaChaPoly_SHA256 */
#define PW_ROLE_INITIATOR 0            /* the programmer or patient device: writes message 1 */
#define PW_ROLE_RESPONDER 1            /* the pump */
#define PW_HANDSHAKE_PROLOGUE_SIZE 13  /* "PumpWire-v1", pattern, slot (spec 5) */
#define PW_HANDSHAKE_MAX_MESSAGE 102   /* the longest Noise message, XXpsk3's message 2 */
#define PW_SESSION_INFO_SIZE 6         /* slot, sessionEpoch, lastCommandId (spec 5) */
#define PW_SEALED_MAX_FRAME_COUNTER 0xFFFFFFu /* PW-SEC-12 */

/* A handshake in progress. Opaque: only these functions touch it. */
typedef struct pw_handshake {
    uint64_t opaque[80];
} pw_handshake;

/* One side's sealed channel of a session: a key, epoch and counter per direction. Opaque. */
typedef struct pw_sealed_channel {
    uint64_t opaque[20];
} pw_sealed_channel;

/* A secure pump (spec/security.md PW-SEC-21): its slots, the session, a pairing in progress and a
   reassembler. Opaque, prepared by pw_secure_pump_init. */
typedef struct pw_secure_pump {
    uint64_t opaque[320];
} pw_secure_pump;

typedef struct pw_pump_slot {
    uint8_t role;                      /* 0 empty, 1 clinician, 2 patient */
    uint8_t static_public[32];
    uint32_t last_command_id;          /* kept across revocation (PW-SEC-18) */
} pw_pump_slot;

typedef struct pw_patient_bolus_limits { /* the stored bolus schedule's patient bolus (PW-SEC-16) */
    uint32_t dose_nanograms;
    uint16_t lockout_minutes;
    uint8_t max_per_day;
} pw_patient_bolus_limits;

#define PW_SECURE_PUMP_ANSWER_CAPACITY 128  /* the pump's longest answer: a pairing handshakeResponse, 113 bytes */
#define PW_SECURE_PUMP_WORK_CAPACITY 320    /* a whole sealed frame (271) and a reassembled payload (313) */

/* What one frame made the pump do (PW-SEC-21). */
typedef struct pw_pump_step {
    size_t answer_length;              /* the frame to send, at the start of `answer`; 0: send nothing */
    bool has_therapy;                  /* the request goes to therapy: its payload is work[0..therapy_length) */
    uint8_t therapy_message_type;
    uint16_t therapy_sequence;
    uint32_t therapy_command_id;       /* 0 for the types without one (PW-SEC-13) */
    size_t therapy_length;
    uint8_t record_count;              /* log records written for this frame (security.md 11), in order */
    uint8_t records[4][PW_LOG_RECORD_SIZE];
} pw_pump_step;

/* Prepares a pump: its static private key, the pairing secret, the window, the sessions started so
   far, the patient bolus limits (NULL: none), and four slots. No session is open. */
uint16_t pw_secure_pump_init(pw_secure_pump *pump, const pw_crypto_provider *provider, const uint8_t static_private[32],
                             const uint8_t pairing_secret[32], bool pairing_window_open, uint32_t session_count,
                             const pw_patient_bolus_limits *limits, const pw_pump_slot slots[4], uint32_t *error_offset);

/* What a pump keeps across power loss (PW-SEC-8, PW-SEC-14, PW-SEC-16): write it to non-volatile
   memory after every pw_secure_pump_receive that changed it, and restore from it after a restart.
   Session keys are not in it: a restart ends the session (PW-SEC-19). */
typedef struct pw_pump_persistent_state {
    pw_pump_slot slots[4];
    uint32_t session_count;
    bool has_patient_bolus_start;
    uint32_t last_patient_bolus_start; /* pump clock, when has_patient_bolus_start */
    uint32_t patient_bolus_day;        /* now / 86400 of patient_boluses_in_day */
    uint8_t patient_boluses_in_day;
} pw_pump_persistent_state;

/* Copies the pump's persistent state into `state`. */
uint16_t pw_secure_pump_persistent_state(const pw_secure_pump *pump, pw_pump_persistent_state *state,
                                         uint32_t *error_offset);

/* Prepares a pump after a restart from its kept `state`: no session, no pairing in progress. */
uint16_t pw_secure_pump_restore(pw_secure_pump *pump, const pw_crypto_provider *provider, const uint8_t static_private[32],
                                const uint8_t pairing_secret[32], bool pairing_window_open,
                                const pw_pump_persistent_state *state, const pw_patient_bolus_limits *limits,
                                uint32_t *error_offset);

/* Opens or closes the pairing window (a magnet over the implant, security.md 5). */
uint16_t pw_secure_pump_set_pairing_window(pw_secure_pump *pump, bool open, uint32_t *error_offset);

/* Handles one received frame at pump clock `now` (0 to 0xfffffffe, PW-UNIT-1: FIELD_OUT_OF_RANGE
   otherwise). `ephemeral_private` fixes the key of a handshake message the pump writes (test
   vectors only; NULL draws it from the provider). `answer` needs
   PW_SECURE_PUMP_ANSWER_CAPACITY bytes, `work` PW_SECURE_PUMP_WORK_CAPACITY and the frame's length.
   Errors are the caller's mistakes only (state, buffers); the frame's own fate is in `step`. */
uint16_t pw_secure_pump_receive(pw_secure_pump *pump, const uint8_t *frame, size_t length, uint32_t now,
                                const uint8_t *ephemeral_private, uint8_t *answer, size_t answer_capacity,
                                uint8_t *work, size_t work_capacity, pw_pump_step *step, uint32_t *error_offset);

/* Erases the pump's state, keys included; init prepares it again. */
void pw_secure_pump_erase(pw_secure_pump *pump);

/* Writes the 13-byte prologue of a handshake of `pattern` and `slot` (spec 5). */
void pw_handshake_prologue(uint8_t pattern, uint8_t slot, uint8_t out[PW_HANDSHAKE_PROLOGUE_SIZE]);

/* Prepares a handshake. `pattern` PW_HANDSHAKE_PAIRING or PW_HANDSHAKE_SESSION and `role`
   PW_ROLE_INITIATOR or PW_ROLE_RESPONDER, anything else FIELD_OUT_OF_RANGE at 0; `prologue` any
   bytes (PumpWire's are those of pw_handshake_prologue); `static_private` this side's static
   private key (required). KK needs `remote_static_public` (the peer's static public key) and
   XXpsk3 `psk` (the pairing secret), each 32 bytes; a missing one is HANDSHAKE_FAILED at 0xffff,
   one the pattern does not use is ignored. `ephemeral_private` fixes the ephemeral key (test
   vectors only, never in production); NULL takes it from the provider's `random` when needed.
   A NULL `provider`, or one with a NULL function, is BUFFER_TOO_SMALL at 0. */
uint16_t pw_handshake_init(pw_handshake *handshake, const pw_crypto_provider *provider, uint8_t pattern,
                           uint8_t role, const uint8_t *prologue, size_t prologue_length,
                           const uint8_t static_private[32], const uint8_t *remote_static_public,
                           const uint8_t *psk, const uint8_t *ephemeral_private, uint32_t *error_offset);

/* Writes this side's next Noise message, carrying `payload` (empty, or the session info in
   message 2), into `message` (at most `capacity` bytes) and stores its length. */
uint16_t pw_handshake_write_message(pw_handshake *handshake, const uint8_t *payload, size_t payload_length,
                                    uint8_t *message, size_t capacity, size_t *message_length,
                                    uint32_t *error_offset);

/* Reads the peer's next Noise message and writes its payload into `payload` (at most `capacity`
   bytes), storing its length. */
uint16_t pw_handshake_read_message(pw_handshake *handshake, const uint8_t *message, size_t length,
                                   uint8_t *payload, size_t capacity, size_t *payload_length,
                                   uint32_t *error_offset);

/* Whether every message was written and read; false for an unprepared struct. */
bool pw_handshake_is_complete(const pw_handshake *handshake);
/* Whether the next message is this side's to write; false when complete or unprepared. */
bool pw_handshake_is_write_turn(const pw_handshake *handshake);

/* Once complete (otherwise HANDSHAKE_OUT_OF_ORDER at 0xffff): prepares `channel` for this side
   with the split keys (PW-SEC-8: k1 seals the initiator's frames, k2 the responder's) and
   `session_epoch`, writes the handshake hash into `handshake_hash` when not NULL, and erases the
   handshake's secrets: a second split is HANDSHAKE_OUT_OF_ORDER. */
uint16_t pw_handshake_split(pw_handshake *handshake, uint8_t session_epoch, pw_sealed_channel *channel,
                            uint8_t *handshake_hash, uint32_t *error_offset);

/* Erases the handshake's secrets; the struct is then unprepared. */
void pw_handshake_erase(pw_handshake *handshake);

/* Prepares a channel from saved or known keys (tests, a resumed state): `sending_key` seals,
   `receiving_key` opens, both with `session_epoch`; the next frame sealed takes
   `next_frame_counter`; `has_highest_accepted` says whether a frame was accepted yet, at
   `highest_accepted`. A NULL key or provider is BUFFER_TOO_SMALL at 0. */
uint16_t pw_sealed_channel_init(pw_sealed_channel *channel, const pw_crypto_provider *provider,
                                const uint8_t sending_key[32], const uint8_t receiving_key[32],
                                uint8_t session_epoch, uint32_t next_frame_counter,
                                bool has_highest_accepted, uint32_t highest_accepted);

/* Seals in place the cleartext frame at the start of `frame` (`length` bytes, at least the
   frame): a sound frame (4.2 steps 1 to 9) with PW_FRAME_AUTHENTICATED (otherwise NOT_SEALED at
   4), whose block's bytes are overwritten with the next counter, the epoch and the tag; the CRC
   is made last (PW-SEC-9). Stores the frame's length. COUNTER_EXHAUSTED after 0xffffff
   (PW-SEC-12). */
uint16_t pw_sealed_seal_frame(pw_sealed_channel *channel, uint8_t *frame, size_t length,
                              size_t *frame_length, uint32_t *error_offset);

/* The same from a cleartext frame that is only read, written sealed into `out`. */
uint16_t pw_sealed_seal_frame_into(pw_sealed_channel *channel, const uint8_t *cleartext, size_t length,
                                   uint8_t *out, size_t capacity, size_t *out_length,
                                   uint32_t *error_offset);

/* Opens the sealed frame `sealed` (exactly one frame) into `out` (at least `length` bytes, else
   BUFFER_TOO_SMALL before any check): the checks of 4.2 steps 1 to 8, then PW-SEC-10 in order
   (NOT_SEALED at 4; the fragment header; STALE_SESSION at 9+P+3; REPLAYED or COUNTER_ROLLBACK at
   9+P; AUTHENTICATION_FAILED at 9+P+4). On success `out` holds the cleartext frame (its block
   as received, its CRC recomputed) for pw_frame_decode or a reassembler, and the counter is
   recorded; on failure the channel is unchanged. */
uint16_t pw_sealed_open_frame(pw_sealed_channel *channel, const uint8_t *sealed, size_t length,
                              uint8_t *out, size_t capacity, size_t *out_length, uint32_t *error_offset);

/* Counters: the frameCounter the next sealed frame takes (above 0xffffff once exhausted); the
   highest accepted, false when none yet; the epoch. False/0 for an unprepared struct. */
uint32_t pw_sealed_channel_next_frame_counter(const pw_sealed_channel *channel);
bool pw_sealed_channel_highest_accepted(const pw_sealed_channel *channel, uint32_t *highest_accepted);
uint8_t pw_sealed_channel_epoch(const pw_sealed_channel *channel);

/* Erases both keys (PW-SEC-19); the struct is then unprepared. */
void pw_sealed_channel_erase(pw_sealed_channel *channel);

/* ---- The pump (spec/behaviour.md): the core's PumpEngine, alone or behind the security layer -- */
/*
 * A whole pump as behaviour.md describes it: therapy (prescription, bolus schedule, refills),
 * delivery tick by tick, alarms, the three log regions and memory dumps, answering frames as a pump
 * answers them; with the security layer (behaviour.md section 11), every frame goes through the
 * secure pump of PW-SEC-21 first and the therapy's answers are sealed. The pump runs on its own
 * clock, which the caller drives: these are the hooks of spec/conformance.md 2.4.11 (PUMP_RESET to
 * PUMP_READ_MEMORY), with the log capacities and battery thresholds of behaviour.md Appendix P.
 * A secure pump keeps the provider table's address, as pw_secure_pump does: the table must stay
 * valid and unchanged while the pump is used.
 *
 * The state is some 11 KiB (the log rings alone are 8,960 bytes), 14 KiB with the security layer:
 * keep it in static memory, not on a stack. No function builds a copy of the pump on the stack; a
 * reset zeroes the caller's struct and makes the pump in place (pw_pump_reset_secure builds only the
 * security layer's part, some 2.5 KiB, on its stack first). Functions that take a `const pw_pump *`
 * only read it. An unprepared struct (never reset, zeroed, erased, overwritten) is refused as
 * above: PW_ERR_BUFFER_TOO_SMALL at 0.
 */

/* A pump, plain or secure. Opaque, prepared by pw_pump_reset or pw_pump_reset_secure. */
#define PW_PUMP_STATE_WORDS 1792 /* 14 KiB: a kind word, a check word and the secure state */
typedef struct pw_pump {
    uint64_t opaque[PW_PUMP_STATE_WORDS];
} pw_pump;

#define PW_PUMP_OBSERVATION_SIZE 32    /* PUMP_OBSERVE's state (conformance.md 2.4.11) */

/* Called with each frame the pump sends, in order, while pw_pump_receive runs: `frame` (a whole
   frame, `length` bytes, at most PW_MAX_FRAME_SIZE) is valid only during the call. It must not call
   a pw_pump function on the same pump. */
typedef void (*pw_pump_send_fn)(void *context, const uint8_t *frame, size_t length);

/* Prepares a pump fresh from the factory (behaviour.md section 1) at pump clock `clock` (0 to
   0xfffffffe; PW_NEVER is FIELD_OUT_OF_RANGE at 0) with the battery measuring `battery_millivolts`:
   no prescription, no schedule, an empty reservoir, no alarm, erased logs. Whatever the struct held
   before (another pump, its keys) is wiped first; a reset that fails leaves it as it was. */
uint16_t pw_pump_reset(pw_pump *pump, uint32_t clock, uint16_t battery_millivolts, uint32_t *error_offset);

/* The same pump behind the security layer: its static private key, the pairing secret, the
   pairing window, the sessions started so far and four slots, as pw_secure_pump_init takes them
   (a role above 2 is FIELD_OUT_OF_RANGE at the slot's index; a NULL provider, one with a NULL
   function, or a NULL key or slots is BUFFER_TOO_SMALL at 0). The patient bolus limits of
   PW-SEC-16 are the stored bolus schedule's (PW-PUMP-19): none until one is stored. */
uint16_t pw_pump_reset_secure(pw_pump *pump, uint32_t clock, uint16_t battery_millivolts,
                              const pw_crypto_provider *provider, const uint8_t static_private[32],
                              const uint8_t pairing_secret[32], bool pairing_window_open,
                              uint32_t session_count, const pw_pump_slot slots[4], uint32_t *error_offset);

/* The pump receives one frame's bytes at its clock (behaviour.md section 7; with the security
   layer, PW-SEC-21 first) and calls `send` with each frame it sends in answer, in order: none for a
   frame it drops, one for most requests, a chunk each for a memory dump (up to 42 for the whole
   rawAddress view). A NULL `send` drops the answers; the pump acts on the frame all the same.
   `ephemeral_private` fixes the key of a handshake message a secure pump writes in this step (test
   vectors only; NULL draws it from the provider); a plain pump ignores it. Errors are the caller's
   mistakes only (the struct); the frame's own fate is in the answers. */
uint16_t pw_pump_receive(pw_pump *pump, const uint8_t *frame, size_t length, const uint8_t *ephemeral_private,
                         pw_pump_send_fn send, void *context, uint32_t *error_offset);

/* Time elapses (PW-PUMP-3): every tick (each multiple of 60 s) up to the clock plus `seconds` runs,
   in order, then the clock is there. FIELD_OUT_OF_RANGE at 0, and nothing changed, when the clock
   would pass 0xfffffffe. */
uint16_t pw_pump_advance(pw_pump *pump, uint32_t seconds, uint32_t *error_offset);

/* Sets the clock (PW-PUMP-4): no tick runs, a clockChanged record is written. PW_NEVER is
   FIELD_OUT_OF_RANGE at 0, and nothing changes. */
uint16_t pw_pump_set_clock(pw_pump *pump, uint32_t time, uint32_t *error_offset);

/* The battery measures `millivolts` from now on; its alarms follow at the next tick (PW-PUMP-16).
   pumpStatus reports at most 5000 mV. */
uint16_t pw_pump_set_battery(pw_pump *pump, uint16_t millivolts, uint32_t *error_offset);

/* A restart (PW-PUMP-22): the basal accumulator, the running boluses (logged stoppedByAlarm) and a
   message whose fragments were arriving are lost, pumpReset is raised; a secure pump's session
   ends (PW-SEC-19), its slots, command ids and session count kept. Everything else is kept. */
uint16_t pw_pump_restart(pw_pump *pump, uint32_t *error_offset);

/* Writes PUMP_OBSERVE's 32 bytes (conformance.md 2.4.11, little-endian): clock, reservoir (nL),
   activeAlarms, statusFlags, running boluses (bit 0 clinician, 1 priming, 2 periodic, 3 patient),
   basal and bolus nL delivered since the reset, the low-reservoir alarm time, the basal accumulator
   and the records written since the reset. */
uint16_t pw_pump_observe(const pw_pump *pump, uint8_t out[PW_PUMP_OBSERVATION_SIZE], uint32_t *error_offset);

/* Copies `length` bytes at `offset` of log region `region` (enum pw_memory_region; the
   rawAddress view lays the three end to end) into `out`, as a memory dump reads them: a region
   outside 1 to 4 is FIELD_OUT_OF_RANGE at 0, bytes past the region's end FIELD_OUT_OF_RANGE at 5
   (PUMP_READ_MEMORY's length, PW-DUMP-10), and only then `capacity` below `length`
   BUFFER_TOO_SMALL. The regions are 5120, 1280 and 2560 bytes (Appendix P). */
uint16_t pw_pump_read_memory(const pw_pump *pump, uint8_t region, uint32_t offset, uint32_t length,
                             uint8_t *out, size_t capacity, uint32_t *error_offset);

/* Erases the pump's state, keys and logs included; a reset prepares it again. */
void pw_pump_erase(pw_pump *pump);

#ifdef __cplusplus
}
#endif

#endif /* PUMPWIRE_H */
