/*
 * Checksums for what the host writes and reads back: CRC-32C (Castagnoli)
 * over checkpoints and the logs they cover, and a 64-bit hash naming a run's
 * resolved manifest in study.json.  Neither is cryptographic: they detect
 * damage and edits, not an attacker.
 */
#ifndef TK_HOST_CHECKSUM_H
#define TK_HOST_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

/* CRC-32C of `n` bytes continuing `crc` (0 to start): crc(a + b) ==
 * tk_crc32c(tk_crc32c(0, a), b). */
uint32_t tk_crc32c(uint32_t crc, const void *data, size_t n);

/* 64-bit FNV-1a of `n` bytes, and the same as 16 lowercase hex digits. */
uint64_t tk_hash64(const void *data, size_t n);
void tk_hash64_hex(const void *data, size_t n, char out[17]);

#endif
