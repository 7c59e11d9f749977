/*
 * The README's C example: the pump side of one exchange. A programmer's prescriptionBlock frame
 * arrives; the pump decodes it into plain C structs, checks it, and answers with an
 * acknowledgement carrying the prescription's digest (PW-ACK-2). Nothing is allocated: every
 * buffer below belongs to the caller. Built for both firmware targets and run under QEMU by
 * `make -C Firmware example`; compiled with -Wall -Wextra -Werror -pedantic.
 */
#include <stddef.h>
#include <stdint.h>

#include "platform.h"
#include "pumpwire.h"

/* The worked example of spec 9.3: morphine 2000 ug/mL, three time-of-day steps. */
static const uint8_t received[] = {
    0xa5, 0xc3, 0x01, 0x02, 0x00, 0x02, 0x00, 0x27, 0x00, 0x01, 0x03, 0xd0, 0x07, 0x00, 0x00,
    0x20, 0x4e, 0x00, 0x00, 0xd0, 0x07, 0x00, 0x00, 0x96, 0x00, 0x40, 0x42, 0x0f, 0x00, 0x03,
    0x00, 0x00, 0x00, 0x53, 0x07, 0x00, 0xa4, 0x01, 0x00, 0xa6, 0x0e, 0x00, 0x28, 0x05, 0x00,
    0x53, 0x07, 0x00, 0xc5, 0x0d,
};

static void print(const char *text) { platform_stderr_print(text); }

static void print_number(const char *label, uint64_t value)
{
    char digits[21];
    int at = 20;
    digits[at] = '\0';
    do {
        digits[--at] = (char)('0' + value % 10);
        value /= 10;
    } while (value != 0);
    print(label);
    print(&digits[at]);
    print("\n");
}

int main(void)
{
    platform_init();
    static pw_frame frame; /* about 1.3 KiB: static, not on the stack */
    uint32_t error_offset = 0;

    uint16_t error = pw_frame_decode(received, sizeof received, &frame, &error_offset);
    if (error != PW_OK) {
        /* PW-ERR-2: a frame that fails the frame checks is dropped; later failures are NAKed. */
        print("rejected: ");
        print(pw_error_name(error));
        print_number(" at offset ", error_offset);
        return 1;
    }
    if (pw_frame_message_type(&frame) != PW_TYPE_PRESCRIPTION_BLOCK) return 1;

    const pw_prescription_block *prescription = &frame.message.body.prescription_block;
    print_number("drug ", prescription->drug);
    print_number("steps ", prescription->step_count);
    print_number("concentration ug/mL ", prescription->concentration_micrograms_per_millilitre);

    uint64_t volume = 0, dose = 0;
    if (pw_daily_basal(prescription, &volume, &dose, &error_offset) != PW_OK) return 1;
    print_number("daily basal volume nL ", volume); /* D2 */
    print_number("daily basal dose ng ", dose);     /* D3 */

    /* Store it, then acknowledge with the digest of the payload stored (PW-ACK-2). */
    pw_message ack = { .type = PW_TYPE_ACKNOWLEDGEMENT };
    ack.body.acknowledgement.acknowledged_type = PW_TYPE_PRESCRIPTION_BLOCK;
    if (pw_message_digest(&frame.message, &ack.body.acknowledgement.digest, &error_offset) != PW_OK) return 1;

    uint8_t reply[PW_MAX_FRAME_SIZE];
    size_t length = 0;
    error = pw_message_encode_frames(&ack, frame.sequence, NULL, reply, sizeof reply, &length, &error_offset);
    if (error != PW_OK) return 1;
    print_number("digest ", ack.body.acknowledgement.digest);
    print_number("acknowledgement frame bytes ", length);
    return 0;
}
