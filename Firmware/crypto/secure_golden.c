/*
 * secure-golden: every entry of vectors/crypto/sessions.json (secure_golden.h, made at build time
 * by sessions-to-c.py) through pumpwire.h's secure session with the libsodium provider, under
 * QEMU on both targets (`make -C Firmware secure-golden`): each handshake from both sides with the
 * fixed keys (every Noise message byte-exact, handshake hash, the split channels sealing and
 * opening with k1 and k2), each sealed frame sealed byte-exact from its cleartext frame and
 * opened back, each rejection with its code and offset, each low-order key, and each pump scenario
 * through pw_secure_pump (PW-SEC-21: every step's answer, request for therapy and log records,
 * byte-exact). Last line: a summary.
 *
 * Built with -DSECURE_GOLDEN_NO_PUMP it leaves the pump out (secure-footprint measures what linking
 * pw_secure_pump adds as the difference). Built with -DSECURE_GOLDEN_INSN it instead runs one KK handshake (both sides), one sealed frame
 * (seal, open) and three steps of the secure pump (a KK handshakeRequest, a sealed prescriptionBlock
 * to therapy, a refused duplicate command) between calls of crypto_insn_mark, for the TCG plugin of
 * crypto-insn.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "platform.h"
#include "pumpwire.h"
#include "secure_golden.h"
#include "sodium_provider.h"


static pw_crypto_provider provider;
__attribute__((unused)) static unsigned long passed, failed;

__attribute__((unused)) static void check(bool ok, const char *kind, const char *id, const char *what)
{
    if (ok) return;
    failed++;
    platform_stdout_print("FAIL ");
    platform_stdout_print(kind);
    platform_stdout_print(" ");
    platform_stdout_print(id);
    platform_stdout_print(": ");
    platform_stdout_print(what);
    platform_stdout_print("\n");
}

static pw_handshake sides[2];
static pw_sealed_channel channels[2];

static uint16_t init_side(const golden_handshake *h, int initiator, pw_handshake *state)
{
    uint32_t offset = 0;
    return pw_handshake_init(state, &provider, h->pattern, initiator ? PW_ROLE_INITIATOR : PW_ROLE_RESPONDER,
                             h->prologue, h->prologue_length, initiator ? h->initiator_static : h->pump_static,
                             h->pattern == PW_HANDSHAKE_SESSION ? (initiator ? h->pump_public : h->initiator_public) : NULL,
                             h->has_psk ? h->psk : NULL, initiator ? h->initiator_ephemeral : h->pump_ephemeral, &offset);
}

#ifndef SECURE_GOLDEN_NO_PUMP
/* The secure pump (PW-SEC-21): its state and the buffers pw_secure_pump_receive needs. */
static pw_secure_pump pump;
static pw_pump_step pump_step;
static uint8_t pump_answer[PW_SECURE_PUMP_ANSWER_CAPACITY], pump_work[PW_SECURE_PUMP_WORK_CAPACITY];

static uint16_t init_pump(const golden_pump_scenario *p)
{
    pw_pump_slot slots[4];
    for (size_t i = 0; i < 4; i++) {
        slots[i].role = p->slots[i].role;
        memcpy(slots[i].static_public, p->slots[i].key, 32);
        slots[i].last_command_id = p->slots[i].last_command_id;
    }
    pw_patient_bolus_limits limits = { p->bolus.dose, p->bolus.lockout, p->bolus.max_per_day };
    uint32_t offset = 0;
    return pw_secure_pump_init(&pump, &provider, p->static_private, p->pairing_secret, p->window_open != 0,
                               p->session_count, p->has_bolus ? &limits : NULL, slots, &offset);
}

/* One step: the frame in, then the answer, the request for therapy and the records as the vector's. */
static bool pump_receive(const golden_pump_step *st)
{
    uint32_t offset = 0;
    return pw_secure_pump_receive(&pump, st->frame, st->frame_length, st->now, st->has_ephemeral ? st->ephemeral : NULL,
                                  pump_answer, sizeof pump_answer, pump_work, sizeof pump_work, &pump_step, &offset)
           == PW_OK;
}

static bool pump_step_matches(const golden_pump_step *st)
{
    bool ok = pump_step.answer_length == st->answer_length
              && (st->answer_length == 0 || memcmp(pump_answer, st->answer, st->answer_length) == 0);
    ok &= (pump_step.has_therapy ? 1 : 0) == st->has_therapy;
    if (ok && st->has_therapy)
        ok &= pump_step.therapy_message_type == st->therapy_type && pump_step.therapy_command_id == st->therapy_command_id
              && pump_step.therapy_length == st->therapy_payload_length
              && (st->therapy_payload_length == 0 || memcmp(pump_work, st->therapy_payload, st->therapy_payload_length) == 0);
    ok &= pump_step.record_count == st->log_count;
    for (size_t i = 0; ok && i < st->log_count; i++)
        ok &= memcmp(pump_step.records[i], st->log + i * PW_LOG_RECORD_SIZE, PW_LOG_RECORD_SIZE) == 0;
    return ok;
}

#endif /* SECURE_GOLDEN_NO_PUMP */

#ifndef SECURE_GOLDEN_INSN

#ifndef SECURE_GOLDEN_NO_PUMP
static void run_pump_scenario(const golden_pump_scenario *p)
{
    bool ok = init_pump(p) == PW_OK;
    check(ok, "pump", p->id, "pw_secure_pump_init");
    for (size_t i = 0; ok && i < p->step_count; i++) {
        const golden_pump_step *st = &p->steps[i];
        bool received = pump_receive(st);
        check(received, "pump", p->id, "pw_secure_pump_receive refused the call");
        bool same = received && pump_step_matches(st);
        check(!received || same, "pump", p->id, "a step's answer, therapy or log records differ");
        ok &= same;
    }
    pw_secure_pump_erase(&pump);
    if (ok) passed++;
}
#endif

static void run_handshake(const golden_handshake *h)
{
    bool ok = true;
    uint8_t prologue[PW_HANDSHAKE_PROLOGUE_SIZE];
    pw_handshake_prologue(h->pattern, h->slot, prologue);
    ok &= h->prologue_length == sizeof prologue && memcmp(prologue, h->prologue, sizeof prologue) == 0;
    check(ok, "handshake", h->id, "prologue");
    ok &= init_side(h, 1, &sides[0]) == PW_OK && init_side(h, 0, &sides[1]) == PW_OK;
    check(ok, "handshake", h->id, "init");
    for (size_t i = 0; ok && i < h->message_count; i++) {
        const golden_message *m = &h->messages[i];
        pw_handshake *writer = &sides[m->from_initiator ? 0 : 1], *reader = &sides[m->from_initiator ? 1 : 0];
        uint8_t message[PW_HANDSHAKE_MAX_MESSAGE], payload[PW_HANDSHAKE_MAX_MESSAGE];
        size_t length = 0, payload_length = 0;
        uint32_t offset = 0;
        bool written = pw_handshake_write_message(writer, m->payload, m->payload_length, message, sizeof message, &length,
                                                  &offset) == PW_OK
                       && length == m->noise_length && memcmp(message, m->noise, length) == 0;
        check(written, "handshake", h->id, "a message written differs");
        bool read = pw_handshake_read_message(reader, m->noise, m->noise_length, payload, sizeof payload, &payload_length,
                                              &offset) == PW_OK
                    && payload_length == m->payload_length && (payload_length == 0 || memcmp(payload, m->payload, payload_length) == 0);
        check(read, "handshake", h->id, "a message read differs");
        ok &= written && read;
    }
    uint8_t hashes[2][32];
    for (int side = 0; ok && side < 2; side++) {
        uint32_t offset = 0;
        ok &= pw_handshake_split(&sides[side], h->session_epoch, &channels[side], hashes[side], &offset) == PW_OK
              && memcmp(hashes[side], h->handshake_hash, 32) == 0;
        pw_handshake_erase(&sides[side]);
    }
    check(ok, "handshake", h->id, "split or handshake hash");
    /* The split channels against channels made from the stored k1 and k2: a frame sealed by each
       side opens on the other from the keys, and the other way. */
    if (ok) {
        pw_sealed_channel from_keys[2];
        pw_sealed_channel_init(&from_keys[0], &provider, h->k1, h->k2, h->session_epoch, 0, false, 0);
        pw_sealed_channel_init(&from_keys[1], &provider, h->k2, h->k1, h->session_epoch, 0, false, 0);
        for (int side = 0; side < 2; side++) {
            uint8_t frame[PW_MAX_FRAME_SIZE] = {0xA5, 0xC3, 0x01, 0x01, PW_FRAME_AUTHENTICATED, 0x01, 0x00, 0x00, 0x00};
            size_t length = 9 + PW_AUTHENTICATION_BLOCK_SIZE + 2, opened_length = 0;
            uint16_t crc = pw_crc16(frame, length - 2);
            frame[length - 2] = (uint8_t)crc;
            frame[length - 1] = (uint8_t)(crc >> 8);
            uint8_t sealed[PW_MAX_FRAME_SIZE], opened[PW_MAX_FRAME_SIZE];
            size_t sealed_length = 0;
            uint32_t offset = 0;
            bool good = pw_sealed_seal_frame_into(&channels[side], frame, length, sealed, sizeof sealed, &sealed_length, &offset) == PW_OK
                        && pw_sealed_open_frame(&from_keys[1 - side], sealed, sealed_length, opened, sizeof opened, &opened_length,
                                                &offset) == PW_OK;
            check(good, "handshake", h->id, side == 0 ? "the initiator's channel does not seal with k1"
                                                      : "the pump's channel does not seal with k2");
            ok &= good;
        }
    }
    if (ok) passed++;
}

static void run_sealed_frame(const golden_sealed_frame *f)
{
    const golden_handshake *h = &golden_handshakes[f->handshake];
    const uint8_t *key = f->key == 1 ? h->k1 : h->k2;
    static const uint8_t zero[32];
    pw_sealed_channel sender, receiver;
    bool ok = pw_sealed_channel_init(&sender, &provider, key, zero, f->session_epoch, f->frame_counter, false, 0) == PW_OK
              && pw_sealed_channel_init(&receiver, &provider, zero, key, f->session_epoch, 0, false, 0) == PW_OK;
    static uint8_t frame[PW_MAX_FRAME_SIZE], opened[PW_MAX_FRAME_SIZE];
    size_t length = 0;
    uint32_t offset = 0;
    memcpy(frame, f->cleartext, f->cleartext_length);
    ok &= pw_sealed_seal_frame(&sender, frame, f->cleartext_length, &length, &offset) == PW_OK && length == f->sealed_length
          && memcmp(frame, f->sealed, length) == 0;
    check(ok, "sealed", f->id, "sealed frame differs");
    bool open = pw_sealed_open_frame(&receiver, f->sealed, f->sealed_length, opened, sizeof opened, &length, &offset) == PW_OK
                && length == f->sealed_length
                && memcmp(opened, f->cleartext, f->associated_data_length) == 0
                && memcmp(opened + f->associated_data_length, f->plaintext, f->plaintext_length) == 0;
    uint32_t highest = 0;
    open &= pw_sealed_channel_highest_accepted(&receiver, &highest) && highest == f->frame_counter;
    check(open, "sealed", f->id, "opened frame differs");
    if (ok && open) passed++;
}

static void run_rejection(const golden_rejection *r)
{
    const golden_handshake *h = &golden_handshakes[r->handshake];
    static const uint8_t zero[32];
    pw_sealed_channel receiver;
    pw_sealed_channel_init(&receiver, &provider, zero, r->key == 1 ? h->k1 : h->k2, r->session_epoch, 0, r->has_highest, r->highest);
    static uint8_t out[PW_MAX_FRAME_SIZE + 16];
    size_t length = 0;
    uint32_t offset = 0xFFFFFFFFu, highest = 0;
    uint16_t code = pw_sealed_open_frame(&receiver, r->frame, r->frame_length, out, sizeof out, &length, &offset);
    bool has = pw_sealed_channel_highest_accepted(&receiver, &highest);
    bool ok = code == r->code && offset == r->offset && has == (r->has_highest != 0) && (!has || highest == r->highest);
    check(ok, "rejection", r->id, "code, offset or state differs");
    if (ok) passed++;
}

static void run_low_order(const golden_low_order *l)
{
    const golden_handshake *h = &golden_handshakes[l->handshake];
    pw_handshake *state = &sides[0];
    bool ok = init_side(h, !l->pump, state) == PW_OK;
    size_t start = l->frame[3] == 0x10 ? 11 : 9;
    uint8_t message[PW_HANDSHAKE_MAX_MESSAGE], payload[PW_HANDSHAKE_MAX_MESSAGE];
    size_t length = 0, payload_length = 0;
    uint32_t offset = 0;
    uint16_t code;
    if (!l->pump) {
        ok &= pw_handshake_write_message(state, NULL, 0, message, sizeof message, &length, &offset) == PW_OK;
        ok &= length == h->messages[0].noise_length && memcmp(message, h->messages[0].noise, length) == 0;
    }
    code = pw_handshake_read_message(state, l->frame + start, l->frame_length - start - 2, payload, sizeof payload,
                                     &payload_length, &offset);
    if (code == PW_OK && l->pump) {
        static const uint8_t info[PW_SESSION_INFO_SIZE];
        length = 0;
        code = pw_handshake_write_message(state, info, sizeof info, message, sizeof message, &length, &offset);
        ok &= length == 0;
    }
    ok &= code == l->code && offset + start == l->offset;
    ok &= pw_handshake_split(state, 1, &channels[0], NULL, NULL) == PW_ERR_HANDSHAKE_OUT_OF_ORDER;
    pw_handshake_erase(state);
    check(ok, "low-order", l->id, "code or offset differs");
    if (ok) passed++;
}

int main(void)
{
    platform_init();
    provider = pw_sodium_provider();
    for (size_t i = 0; i < golden_handshake_count; i++) run_handshake(&golden_handshakes[i]);
    for (size_t i = 0; i < golden_sealed_frame_count; i++) run_sealed_frame(&golden_sealed_frames[i]);
    for (size_t i = 0; i < golden_rejection_count; i++) run_rejection(&golden_rejections[i]);
    for (size_t i = 0; i < golden_low_order_count; i++) run_low_order(&golden_low_orders[i]);
    size_t pump_steps = 0, pump_scenarios = 0;
#ifndef SECURE_GOLDEN_NO_PUMP
    for (size_t i = 0; i < golden_pump_scenario_count; i++) {
        run_pump_scenario(&golden_pump_scenarios[i]);
        pump_steps += golden_pump_scenarios[i].step_count;
    }
    pump_scenarios = golden_pump_scenario_count;
#endif
    platform_stdout_print("secure golden: ");
    platform_stdout_print_number(golden_handshake_count);
    platform_stdout_print(" handshakes, ");
    platform_stdout_print_number(golden_sealed_frame_count);
    platform_stdout_print(" sealed frames, ");
    platform_stdout_print_number(golden_rejection_count);
    platform_stdout_print(" rejections, ");
    platform_stdout_print_number(golden_low_order_count);
    platform_stdout_print(" low-order keys, ");
    platform_stdout_print_number(pump_scenarios);
    platform_stdout_print(" pump scenarios (");
    platform_stdout_print_number(pump_steps);
    platform_stdout_print(" steps): ");
    platform_stdout_print_number(passed);
    platform_stdout_print(" passed, ");
    platform_stdout_print_number(failed);
    platform_stdout_print(" failed\n");
    platform_exit(failed == 0 && passed > 0 ? 0 : 1);
}

#else /* SECURE_GOLDEN_INSN */

__attribute__((noipa)) void crypto_insn_mark(void) {}

int main(void)
{
    platform_init();
    provider = pw_sodium_provider();
    const golden_handshake *h = &golden_handshakes[1]; /* session (KK) */
    const golden_sealed_frame *f = &golden_sealed_frames[0]; /* the 9.3 prescription, 43-byte payload */
    static uint8_t m1[PW_HANDSHAKE_MAX_MESSAGE], m2[PW_HANDSHAKE_MAX_MESSAGE], payload[PW_HANDSHAKE_MAX_MESSAGE];
    static uint8_t frame[PW_MAX_FRAME_SIZE], opened[PW_MAX_FRAME_SIZE];
    static const uint8_t info[PW_SESSION_INFO_SIZE] = {1, 2, 7, 0, 0, 0};
    size_t l1 = 0, l2 = 0, pl = 0, length = 0;
    uint32_t offset = 0;
    int failures = 0;
    crypto_insn_mark();
    crypto_insn_mark();
    failures |= init_side(h, 1, &sides[0]) | init_side(h, 0, &sides[1]);
    failures |= pw_handshake_write_message(&sides[0], NULL, 0, m1, sizeof m1, &l1, &offset);
    failures |= pw_handshake_read_message(&sides[1], m1, l1, payload, sizeof payload, &pl, &offset);
    failures |= pw_handshake_write_message(&sides[1], info, sizeof info, m2, sizeof m2, &l2, &offset);
    failures |= pw_handshake_read_message(&sides[0], m2, l2, payload, sizeof payload, &pl, &offset);
    failures |= pw_handshake_split(&sides[0], 2, &channels[0], NULL, &offset);
    failures |= pw_handshake_split(&sides[1], 2, &channels[1], NULL, &offset);
    crypto_insn_mark();
    failures |= init_side(h, 0, &sides[1]);
    failures |= pw_handshake_read_message(&sides[1], m1, l1, payload, sizeof payload, &pl, &offset);
    failures |= pw_handshake_write_message(&sides[1], info, sizeof info, m2, sizeof m2, &l2, &offset);
    failures |= pw_handshake_split(&sides[1], 2, &channels[1], NULL, &offset);
    crypto_insn_mark();
    memcpy(frame, f->cleartext, f->cleartext_length);
    crypto_insn_mark();
    failures |= pw_sealed_seal_frame(&channels[0], frame, f->cleartext_length, &length, &offset);
    crypto_insn_mark();
    failures |= pw_sealed_open_frame(&channels[1], frame, length, opened, sizeof opened, &length, &offset);
    crypto_insn_mark();
    /* The secure pump: scenario clinician-session, steps 1 to 3. */
    const golden_pump_scenario *p = NULL;
    for (size_t i = 0; i < golden_pump_scenario_count; i++)
        if (strcmp(golden_pump_scenarios[i].id, "clinician-session") == 0) p = &golden_pump_scenarios[i];
    if (p == NULL || p->step_count < 3) platform_exit(1);
    failures |= init_pump(p);
    crypto_insn_mark();
    for (size_t i = 0; i < 3; i++) {
        failures |= !pump_receive(&p->steps[i]);
        crypto_insn_mark();
        failures |= !pump_step_matches(&p->steps[i]);
        crypto_insn_mark();
    }
    platform_stdout_print("(a mark alone)\n");
    platform_stdout_print("KK handshake, both sides (init, 2 messages written and read, split each)\n");
    platform_stdout_print("KK handshake, the pump's side (init, read message 1, write message 2, split)\n");
    platform_stdout_print("(memcpy of the cleartext frame)\n");
    platform_stdout_print("pw_sealed_seal_frame, in place, 43-byte payload (the 9.3 prescription with its commandId)\n");
    platform_stdout_print("pw_sealed_open_frame, the same frame\n");
    platform_stdout_print("pw_secure_pump_init (clinician-session's pump)\n");
    platform_stdout_print("pump: KK handshakeRequest, slot 1 -> handshakeResponse (read message 1, write message 2, split; log sessionStarted)\n");
    platform_stdout_print("(the step checked against the vector)\n");
    platform_stdout_print("pump: sealed prescriptionBlock, commandId 8 -> opened, checked, to therapy\n");
    platform_stdout_print("(the step checked against the vector)\n");
    platform_stdout_print("pump: the same command again (counter 1) -> refused, sealed negativeAcknowledgement (log)\n");
    platform_stdout_print("(the step checked against the vector)\n");
    platform_exit(failures != 0 ? 1 : 0);
}

#endif
