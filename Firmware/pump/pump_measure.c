/*
 * pump-measure: the pump engine (pw_pump of pumpwire.h) on the firmware targets, for `make -C
 * Firmware pump-footprint` and `pump-insn`. A plain pump is set up as in
 * vectors/scenarios/periodic-boluses-week.json (baclofen 2000 ug/mL at 400000 ng/day, a refill to
 * 20000 uL, periodic boluses of 50000 ng over 60 minutes at 06:00 and 18:00), then:
 *
 *   1. one simulated day in one call, pw_pump_advance(86400): 1440 ticks;
 *   2. the next day a minute at a time, 1440 calls of pw_pump_advance(60), as a pump's timer would;
 *   3. a memoryDumpRequest of the whole eventLog (5120 bytes, 24 chunks) and of the whole
 *      rawAddress view (8960 bytes, 42 chunks) through pw_pump_receive;
 *   4. pw_pump_read_memory of the whole rawAddress view, and pw_pump_observe.
 *
 * Every answer and the delivered volumes are checked (exit status 1 on a mismatch). Built two ways:
 * by default each call runs with the stack painted below the caller (platform_stack_paint) and the
 * bytes it used are printed, "stack <call> <bytes>"; with -DPUMP_MEASURE_INSN each interval lies
 * between calls of crypto_insn_mark, for crypto/insn-count-plugin.c, and its label is printed.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "platform.h"
#include "pumpwire.h"

#define START_CLOCK 847612800u /* the scenario's: 1996-11-10 08:00 UTC */
#define DAY 86400u
#define STACK_DEPTH 32768ul

/* The pump (14 KiB), the frames sent to it and the bytes read back: static, as on a pump. */
static pw_pump pump;
static pw_message message;
static uint8_t frame[PW_MAX_ENCODED_MESSAGE_SIZE];
static uint8_t memory[8960];
static uint16_t sequence;
static unsigned long failures;

/* What pw_pump_receive sent: the frames and their message types (first and last). */
static struct {
    unsigned frames;
    uint8_t first_type, last_type;
} answers;

static void on_send(void *context, const uint8_t *bytes, size_t length)
{
    (void)context;
    if (length > 3u) {
        if (answers.frames == 0) answers.first_type = bytes[3];
        answers.last_type = bytes[3];
    }
    answers.frames++;
}

static void check(bool ok, const char *what)
{
    if (ok) return;
    failures++;
    platform_stdout_print("FAIL ");
    platform_stdout_print(what);
    platform_stdout_print("\n");
}

#ifdef PUMP_MEASURE_INSN

/* A return and nothing else (noipa keeps every call): the plugin counts from one call to the next. */
__attribute__((noipa)) void crypto_insn_mark(void) {}

#define MAX_INTERVALS 32u
#define BETWEEN "(between measurements)"
static unsigned interval_count;
static const char *interval_labels[MAX_INTERVALS];

/* `statement` between two marks. Every interval from one mark to the next is counted, so the code
   since the previous measurement is one too, labelled BETWEEN; the labels are printed at the end, in
   the plugin's order. */
#define MEASURED(label, statement)                                             \
    do {                                                                       \
        crypto_insn_mark();                                                    \
        statement;                                                             \
        crypto_insn_mark();                                                    \
        if (interval_count + 2u <= MAX_INTERVALS) {                            \
            interval_labels[interval_count++] = BETWEEN;                       \
            interval_labels[interval_count++] = (label);                       \
        }                                                                      \
    } while (0)

#else

static unsigned long stack_max[16];
static const char *stack_labels[16];
static unsigned stack_count;

static void stack_record(const char *label, unsigned long used)
{
    for (unsigned i = 0; i < stack_count; i++) {
        if (stack_labels[i] == label) {
            if (used > stack_max[i]) stack_max[i] = used;
            return;
        }
    }
    if (stack_count < 16u) {
        stack_labels[stack_count] = label;
        stack_max[stack_count++] = used;
    }
}

/* `statement` with the stack painted below the caller's stack pointer; the deepest byte it wrote. */
#define MEASURED(label, statement)                                       \
    do {                                                                 \
        uintptr_t measured_sp_ = platform_stack_pointer();               \
        platform_stack_paint(STACK_DEPTH);                               \
        statement;                                                       \
        stack_record((label), platform_stack_used(measured_sp_, STACK_DEPTH)); \
    } while (0)

#endif

/* `message` as frames (one, or fragments) with the next sequence, into `frame`. */
static size_t encode_message(void)
{
    size_t written = 0;
    uint32_t offset = 0;
    sequence++;
    uint16_t err = pw_message_encode_frames(&message, sequence, NULL, frame, sizeof frame, &written, &offset);
    check(err == PW_OK, "a request does not encode");
    return err == PW_OK ? written : 0;
}

/* Sends `message` (one frame) and checks the one answer's type. */
static void send_request(uint8_t answer_type, const char *what)
{
    size_t length = encode_message();
    memset(&answers, 0, sizeof answers);
    uint32_t offset = 0;
    check(pw_pump_receive(&pump, frame, length, NULL, on_send, NULL, &offset) == PW_OK, what);
    check(answers.frames == 1u && answers.first_type == answer_type, what);
}

static void set_up(void)
{
    uint32_t offset = 0;
    uint16_t err;
    MEASURED("pw_pump_reset", err = pw_pump_reset(&pump, START_CLOCK, 3100, &offset));
    check(err == PW_OK, "pw_pump_reset");

    memset(&message, 0, sizeof message);
    message.type = PW_TYPE_PRESCRIPTION_BLOCK;
    pw_prescription_block *p = &message.body.prescription_block;
    p->drug = PW_DRUG_BACLOFEN;
    p->mode = PW_MODE_CONTINUOUS;
    p->concentration_micrograms_per_millilitre = 2000;
    p->reservoir_capacity_microlitres = 20000;
    p->low_reservoir_threshold_microlitres = 2000;
    p->catheter_volume_microlitres = 200;
    p->max_daily_dose_nanograms = 800000;
    p->step_count = 1;
    p->steps[0].start_minute = 0;
    p->steps[0].dose_rate_nanograms_per_day = 400000;
    send_request(PW_TYPE_ACKNOWLEDGEMENT, "prescriptionBlock: an acknowledgement");

    memset(&message, 0, sizeof message);
    message.type = PW_TYPE_REFILL_CONFIRMATION;
    pw_refill_confirmation *r = &message.body.refill_confirmation;
    r->drug = PW_DRUG_BACLOFEN;
    r->concentration_micrograms_per_millilitre = 2000;
    r->volume_added_microlitres = 20000;
    r->resulting_reservoir_microlitres = 20000;
    r->refill_time = START_CLOCK;
    send_request(PW_TYPE_REFILL_RECEIPT, "refillConfirmation: a refillReceipt");

    memset(&message, 0, sizeof message);
    message.type = PW_TYPE_BOLUS_SCHEDULE;
    pw_bolus_schedule *b = &message.body.bolus_schedule;
    b->periodic_count = 2;
    b->periodic_boluses[0] = (pw_periodic_bolus){ .start_minute = 360, .dose_nanograms = 50000, .duration_minutes = 60 };
    b->periodic_boluses[1] = (pw_periodic_bolus){ .start_minute = 1080, .dose_nanograms = 50000, .duration_minutes = 60 };
    send_request(PW_TYPE_ACKNOWLEDGEMENT, "bolusSchedule: an acknowledgement");
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* PUMP_OBSERVE after `days` days: 200000 nL of basal a day (400000 ng/day at 2000 ug/mL, the
   accumulator exact at each day's end) and two whole periodic boluses of 25000 nL. */
static void check_days(unsigned days, const char *what)
{
    uint8_t state[PW_PUMP_OBSERVATION_SIZE];
    uint32_t offset = 0;
    uint16_t err;
    MEASURED("pw_pump_observe", err = pw_pump_observe(&pump, state, &offset));
    check(err == PW_OK, "pw_pump_observe");
    check(get_u32(state) == START_CLOCK + days * DAY, what);
    check(get_u32(state + 12) == 200000u * days, what);           /* basal delivered */
    check(get_u32(state + 16) == 50000u * days, what);            /* boluses delivered */
    check(get_u32(state + 4) == 20000000u - 250000u * days, what); /* reservoir */
    check(get_u32(state + 24) == 0u, what);                       /* basal accumulator */
}

/* A memoryDumpRequest of a whole region: `chunks` memoryDumpChunk frames. */
static void dump(uint8_t region, uint32_t length, unsigned chunks, const char *label)
{
    memset(&message, 0, sizeof message);
    message.type = PW_TYPE_MEMORY_DUMP_REQUEST;
    message.body.memory_dump_request.region = region;
    message.body.memory_dump_request.length = length;
    size_t frame_length = encode_message();
    memset(&answers, 0, sizeof answers);
    uint32_t offset = 0;
    uint16_t err;
    MEASURED(label, err = pw_pump_receive(&pump, frame, frame_length, NULL, on_send, NULL, &offset));
    check(err == PW_OK && answers.frames == chunks && answers.first_type == PW_TYPE_MEMORY_DUMP_CHUNK
              && answers.last_type == PW_TYPE_MEMORY_DUMP_CHUNK,
          label);
}

int main(void)
{
    platform_init();
#ifdef PUMP_MEASURE_INSN
    crypto_insn_mark();
    crypto_insn_mark();
    interval_labels[interval_count++] = "(a mark alone)";
#endif
    set_up();

    uint32_t offset = 0;
    uint16_t err;
    MEASURED("pw_pump_advance(86400): a day, 1440 ticks, in one call",
             err = pw_pump_advance(&pump, DAY, &offset));
    check(err == PW_OK, "pw_pump_advance(86400)");
    check_days(1, "one day in one call");

    err = PW_OK;
    MEASURED("pw_pump_advance(60) x 1440: a day a minute at a time", {
        for (unsigned i = 0; i < 1440u; i++) err |= pw_pump_advance(&pump, 60, &offset);
    });
    check(err == PW_OK, "pw_pump_advance(60)");
    check_days(2, "the second day a minute at a time");

    dump(PW_REGION_EVENT_LOG, 5120, 24, "pw_pump_receive: memoryDumpRequest, the whole eventLog (24 chunks)");
    dump(PW_REGION_RAW_ADDRESS, 8960, 42, "pw_pump_receive: memoryDumpRequest, the whole rawAddress view (42 chunks)");

    MEASURED("pw_pump_read_memory: the whole rawAddress view",
             err = pw_pump_read_memory(&pump, PW_REGION_RAW_ADDRESS, 0, sizeof memory, memory, sizeof memory, &offset));
    check(err == PW_OK, "pw_pump_read_memory");

#ifdef PUMP_MEASURE_INSN
    for (unsigned i = 0; i < interval_count; i++) {
        platform_stdout_print(interval_labels[i]);
        platform_stdout_print("\n");
    }
#else
    for (unsigned i = 0; i < stack_count; i++) {
        platform_stdout_print("stack ");
        platform_stdout_print(stack_labels[i]);
        platform_stdout_print(" ");
        platform_stdout_print_number(stack_max[i]);
        platform_stdout_print("\n");
    }
    platform_stdout_print("pump measure: ");
    platform_stdout_print(failures == 0 ? "passed\n" : "FAILED\n");
#endif
    return failures == 0 ? 0 : 1;
}
