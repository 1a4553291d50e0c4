// Sealing a small secret file with a passphrase: scrypt derives a 256-bit key from the
// passphrase and a random salt, AES-256-GCM encrypts and authenticates. Store backups keep their
// keys this way, apart from the database (common/setup/store_backup.h).
//
// Layout: "TOCSIN-SEALED-1\n", scrypt's log2(N), r and p (one byte each), a 16-byte salt, a
// 12-byte nonce, the ciphertext and the 16-byte tag; the whole header is authenticated. Opening
// refuses costs above kMaxLogN (a hostile file must not make us allocate gigabytes), and a wrong
// passphrase or an altered file alike, with one message. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/base/status.h"

namespace tocsin {

struct ScryptCost {
  uint8_t logN = 17;  // N = 2^17: 128 MiB of memory with r = 8
  uint8_t r = 8;
  uint8_t p = 1;
};
inline constexpr uint8_t kMaxLogN = 20;
inline constexpr size_t kMinPassphraseLength = 12;

Result<std::string> sealWithPassphrase(std::string_view plaintext, std::string_view passphrase, ScryptCost cost = {});
Result<std::string> openWithPassphrase(std::string_view sealed, std::string_view passphrase);

}  // namespace tocsin
