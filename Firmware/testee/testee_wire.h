/*
 * testee_wire.h: little-endian reads and writes for the testee protocol (spec/conformance.md 2.1:
 * every integer in a body is little-endian). Byte by byte, so alignment and host byte order
 * never matter. No codec logic here: this is the protocol's framing only.
 */
#ifndef TESTEE_WIRE_H
#define TESTEE_WIRE_H

#include <stdint.h>

static inline uint16_t wire_get_u16(const uint8_t *p)
{
    return (uint16_t)((uint16_t)p[0] | (uint16_t)((uint16_t)p[1] << 8));
}

static inline uint32_t wire_get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline void wire_put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v & 0xFFu);
    p[1] = (uint8_t)((v >> 8) & 0xFFu);
}

static inline void wire_put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v & 0xFFu);
    p[1] = (uint8_t)((v >> 8) & 0xFFu);
    p[2] = (uint8_t)((v >> 16) & 0xFFu);
    p[3] = (uint8_t)((v >> 24) & 0xFFu);
}

static inline void wire_put_u64(uint8_t *p, uint64_t v)
{
    wire_put_u32(p, (uint32_t)(v & 0xFFFFFFFFu));
    wire_put_u32(p + 4, (uint32_t)(v >> 32));
}

#endif /* TESTEE_WIRE_H */
