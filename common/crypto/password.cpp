#include "common/crypto/password.h"

#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <vector>

#include "common/crypto/hash.h"

namespace tocsin {
namespace {

constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;

bool scrypt(std::string_view password, const Bytes& salt, const ScryptCost& cost, Bytes& out) {
  out.assign(kHashBytes, 0);
  // Room for N * r * 128 bytes, with a margin.
  const uint64_t maxMemory = cost.n * cost.r * 128 * 2 + (1u << 20);
  return EVP_PBE_scrypt(password.data(), password.size(), salt.data(), salt.size(), cost.n, cost.r, cost.p, maxMemory,
                        out.data(), out.size()) == 1;
}

std::vector<std::string> fieldsOf(const std::string& text) {
  std::vector<std::string> out(1);
  for (char c : text) {
    if (c == '$') out.emplace_back();
    else out.back() += c;
  }
  return out;
}

bool parseNumber(const std::string& text, uint64_t most, uint64_t& out) {
  if (text.empty() || text.size() > 10 || text.find_first_not_of("0123456789") != std::string::npos) return false;
  out = std::stoull(text);
  return out >= 1 && out <= most;
}

}  // namespace

Result<std::string> hashPassword(std::string_view password, ScryptCost cost) {
  TOCSIN_ASSIGN_OR_RETURN(Bytes salt, randomBytes(kSaltBytes));
  Bytes hash;
  if (!scrypt(password, salt, cost, hash)) return Status::internal("scrypt failed");
  return "scrypt$" + std::to_string(cost.n) + "$" + std::to_string(cost.r) + "$" + std::to_string(cost.p) + "$" +
         toBase64(salt) + "$" + toBase64(hash);
}

bool verifyPassword(std::string_view password, const std::string& encoded) {
  const std::vector<std::string> fields = fieldsOf(encoded);
  if (fields.size() != 6 || fields[0] != "scrypt") return false;
  uint64_t n = 0, r = 0, p = 0;
  // Bounds keep a tampered row from asking for gigabytes.
  if (!parseNumber(fields[1], 1u << 20, n) || (n & (n - 1)) != 0 || !parseNumber(fields[2], 32, r) ||
      !parseNumber(fields[3], 16, p))
    return false;
  auto salt = fromBase64(fields[4]);
  auto want = fromBase64(fields[5]);
  if (!salt.ok() || !want.ok() || want.value().size() != kHashBytes) return false;
  Bytes got;
  if (!scrypt(password, salt.value(), ScryptCost{n, static_cast<uint32_t>(r), static_cast<uint32_t>(p)}, got)) return false;
  return constantTimeEqual(got.data(), want.value().data(), kHashBytes);
}

Status checkPasswordStrength(std::string_view password) {
  if (password.size() < 12) return Status::invalid("a password has at least 12 characters");
  if (password.size() > 200) return Status::invalid("a password has at most 200 characters");
  for (unsigned char c : password)
    if (c < 0x20 || c == 0x7f) return Status::invalid("a password has no control characters");
  return Status::okStatus();
}

}  // namespace tocsin
