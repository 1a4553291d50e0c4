// Hashes, MACs, encodings and randomness (OpenSSL 3 underneath). Pure functions, thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/status.h"

namespace tocsin {

using Bytes = std::vector<uint8_t>;
using Digest = std::array<uint8_t, 32>;  // SHA-256 or HMAC-SHA256 output

Digest sha256(std::string_view data);
Digest hmacSha256(const Bytes& key, std::string_view data);

// SHA-256 computed in steps, for data streamed to a file.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(std::string_view data);
  Digest finish();

 private:
  void* ctx_;  // EVP_MD_CTX*
};

// HMAC-SHA256 computed in steps, for MACs over several pieces without concatenating them.
class HmacSha256 {
 public:
  explicit HmacSha256(const Bytes& key);
  ~HmacSha256();
  HmacSha256(const HmacSha256&) = delete;
  HmacSha256& operator=(const HmacSha256&) = delete;
  void update(std::string_view data);
  void update(const Digest& d) { update(std::string_view(reinterpret_cast<const char*>(d.data()), d.size())); }
  Digest finish();

 private:
  void* ctx_;  // EVP_MAC_CTX*
};

// A key set up once for many MACs. HMAC's inner and outer hash states after absorbing the
// padded key are computed once; each MAC then costs two SHA-256 runs over its data, about a
// fifth of keying a fresh OpenSSL MAC context. Immutable once built; safe to share between threads.
class HmacKey {
 public:
  explicit HmacKey(const Bytes& key);
  Digest mac(std::string_view data) const;
  // MAC over several pieces.
  Digest mac(std::initializer_list<std::string_view> pieces) const;

 private:
  struct State {
    uint32_t h[8];
  };
  State inner_{}, outer_{};
};

// Comparison whose time does not depend on where the inputs differ.
bool constantTimeEqual(const uint8_t* a, const uint8_t* b, size_t n);
inline bool constantTimeEqual(const Digest& a, const Digest& b) { return constantTimeEqual(a.data(), b.data(), a.size()); }

std::string toHex(const uint8_t* data, size_t n);
inline std::string toHex(const Digest& d) { return toHex(d.data(), d.size()); }
inline std::string toHex(const Bytes& b) { return toHex(b.data(), b.size()); }
Result<Bytes> fromHex(std::string_view hex);
Result<Digest> digestFromHex(std::string_view hex);

std::string toBase64(const uint8_t* data, size_t n);
inline std::string toBase64(const Bytes& b) { return toBase64(b.data(), b.size()); }
Result<Bytes> fromBase64(std::string_view text);

// Cryptographically secure random bytes.
Result<Bytes> randomBytes(size_t n);

}  // namespace tocsin
