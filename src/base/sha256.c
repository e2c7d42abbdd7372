/* SHA-256 of a byte string as 64 lowercase hex digits, for the provenance of the inputs
 * a bundle keeps. The digest is nettle's (a small, quiet library: no global state, no
 * output, no allocation); nothing here is hand-written cryptography. */
#include <nettle/sha2.h>

#include "base/base.h"

void pd_sha256_hex(const void *data, size_t len, char out[PD_SHA256_HEX])
{
	static const char hex[] = "0123456789abcdef";
	struct sha256_ctx ctx;
	uint8_t d[SHA256_DIGEST_SIZE];
	sha256_init(&ctx);
	sha256_update(&ctx, len, data);
	sha256_digest(&ctx, sizeof d, d);
	for (size_t i = 0; i < sizeof d; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[2 * sizeof d] = '\0';
}
