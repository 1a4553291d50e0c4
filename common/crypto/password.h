// Passwords kept as salted scrypt hashes (OpenSSL's KDF), in one self-describing string:
// "scrypt$N$r$p$<salt base64>$<hash base64>". The cost travels with the hash, so raising it later
// leaves older hashes verifiable. Pure apart from the salt's randomness; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/base/status.h"

namespace tocsin {

struct ScryptCost {
  uint64_t n = 1u << 15;  // CPU and memory: 128 * r * N bytes (32 MiB here)
  uint32_t r = 8;
  uint32_t p = 1;
};

// A new hash with a fresh 16-byte salt.
Result<std::string> hashPassword(std::string_view password, ScryptCost cost = {});
// Whether `password` matches `encoded`; false for a malformed or unknown encoding. Compares in
// constant time.
bool verifyPassword(std::string_view password, const std::string& encoded);
// A password's acceptable shape: 12 to 200 bytes, no control characters. The message names
// what is wrong; OK when acceptable.
Status checkPasswordStrength(std::string_view password);

}  // namespace tocsin
