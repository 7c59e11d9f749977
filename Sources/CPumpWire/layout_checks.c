// The header compiled as C on its own, with checks that the structs keep the sizes the Swift side
// and firmware rely on. SwiftPM builds this file on the host; Firmware/Makefile builds it per target.
#include "pumpwire.h"

_Static_assert(sizeof(uint8_t[PW_MAX_FRAME_SIZE]) == 9 + 240 + 20 + 2, "PW_MAX_FRAME_SIZE");
_Static_assert(PW_MAX_ENCODED_MESSAGE_SIZE == PW_MAX_FRAGMENTS * (9 + 4 + 2) + PW_MAX_MESSAGE_PAYLOAD,
               "PW_MAX_ENCODED_MESSAGE_SIZE");
_Static_assert(PW_FRAGMENT_DATA_SIZE == PW_MAX_FRAME_PAYLOAD - 4, "PW_FRAGMENT_DATA_SIZE");
_Static_assert(PW_CHUNK_DATA_SIZE == PW_MAX_FRAME_PAYLOAD - 22, "PW_CHUNK_DATA_SIZE");
_Static_assert(_Alignof(pw_reassembler) == 8 && _Alignof(pw_scanner) == 8 && _Alignof(pw_log_reader) == 8,
               "opaque state is 8-byte aligned");
_Static_assert(_Alignof(pw_handshake) == 8 && _Alignof(pw_sealed_channel) == 8, "secure session state is 8-byte aligned");
_Static_assert(sizeof(pw_handshake) == 640 && sizeof(pw_sealed_channel) == 160, "secure session state sizes");
_Static_assert(PW_HANDSHAKE_SESSION == 2 && PW_HANDSHAKE_PAIRING == 1, "pattern bytes (spec 5)");
_Static_assert(_Alignof(pw_secure_pump) == 8 && sizeof(pw_secure_pump) == 2560, "secure pump state size");
_Static_assert(_Alignof(pw_pump) == 8 && sizeof(pw_pump) == 14336, "pump engine state size");
