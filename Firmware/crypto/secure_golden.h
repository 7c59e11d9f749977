/* The golden vectors of the security layer (vectors/crypto/sessions.json) as C tables, written by
   sessions-to-c.py at build time, for secure_golden.c. */
#ifndef SECURE_GOLDEN_H
#define SECURE_GOLDEN_H

#include <stddef.h>
#include <stdint.h>

typedef struct golden_message {
    uint8_t message_type;
    uint8_t from_initiator;
    const uint8_t *payload;
    size_t payload_length;
    const uint8_t *noise;
    size_t noise_length;
} golden_message;

typedef struct golden_handshake {
    const char *id;
    uint8_t pattern, slot, session_epoch;
    const uint8_t *prologue;
    size_t prologue_length;
    uint8_t initiator_static[32], initiator_public[32], initiator_ephemeral[32];
    uint8_t pump_static[32], pump_public[32], pump_ephemeral[32];
    uint8_t psk[32];
    uint8_t has_psk;
    size_t message_count;
    golden_message messages[3];
    uint8_t handshake_hash[32], k1[32], k2[32];
} golden_handshake;

typedef struct golden_sealed_frame {
    const char *id;
    size_t handshake;
    uint8_t key; /* 1 k1, 2 k2 */
    uint8_t session_epoch;
    uint32_t frame_counter;
    const uint8_t *cleartext;
    size_t cleartext_length;
    const uint8_t *sealed;
    size_t sealed_length;
    size_t associated_data_length;
    const uint8_t *plaintext;
    size_t plaintext_length;
} golden_sealed_frame;

typedef struct golden_rejection {
    const char *id;
    size_t handshake;
    uint8_t key, session_epoch, has_highest;
    uint32_t highest;
    const uint8_t *frame;
    size_t frame_length;
    uint16_t code;
    uint32_t offset;
} golden_rejection;

typedef struct golden_low_order {
    const char *id;
    size_t handshake;
    uint8_t pump; /* 1: the pump reads a handshakeRequest; 0: the device reads the response */
    const uint8_t *frame;
    size_t frame_length;
    uint16_t code;
    uint32_t offset;
} golden_low_order;

/* One frame given to the secure pump (pumpScenarios, PW-SEC-21) and what it must do. */
typedef struct golden_pump_step {
    uint32_t now;
    uint8_t has_ephemeral;
    uint8_t ephemeral[32];
    const uint8_t *frame;
    size_t frame_length;
    const uint8_t *answer; /* NULL, 0: nothing sent */
    size_t answer_length;
    uint8_t has_therapy, therapy_type;
    uint32_t therapy_command_id;
    const uint8_t *therapy_payload;
    size_t therapy_payload_length;
    size_t log_count;   /* records of 20 bytes */
    const uint8_t *log;
} golden_pump_step;

typedef struct golden_pump_scenario {
    const char *id;
    uint8_t static_private[32], pairing_secret[32];
    uint8_t window_open;
    uint32_t session_count;
    uint8_t has_bolus;
    struct { uint32_t dose; uint16_t lockout; uint8_t max_per_day; } bolus;
    struct { uint8_t role; uint8_t key[32]; uint32_t last_command_id; } slots[4];
    size_t step_count;
    const golden_pump_step *steps;
} golden_pump_scenario;

extern const golden_handshake golden_handshakes[];
extern const size_t golden_handshake_count;
extern const golden_sealed_frame golden_sealed_frames[];
extern const size_t golden_sealed_frame_count;
extern const golden_rejection golden_rejections[];
extern const size_t golden_rejection_count;
extern const golden_low_order golden_low_orders[];
extern const size_t golden_low_order_count;
extern const golden_pump_scenario golden_pump_scenarios[];
extern const size_t golden_pump_scenario_count;

#endif
