#include "common/crypto/totp.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cctype>
#include <cstdio>

namespace tocsin {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

// Percent-encodes everything but RFC 3986's unreserved characters.
std::string uriComponent(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      out += hex;
    }
  }
  return out;
}

}  // namespace

std::string base32Encode(const Bytes& data) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (uint8_t b : data) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += kAlphabet[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (5 - bits)) & 31];
  return out;
}

Result<Bytes> base32Decode(std::string_view text) {
  Bytes out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char raw : text) {
    if (raw == ' ' || raw == '=') continue;
    const char c = static_cast<char>(std::toupper(static_cast<unsigned char>(raw)));
    int v = -1;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= '2' && c <= '7') v = c - '2' + 26;
    if (v < 0) return Status::invalid("'" + std::string(1, raw) + "' is not a base32 character");
    buffer = (buffer << 5) | static_cast<uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      out.push_back(static_cast<uint8_t>((buffer >> (bits - 8)) & 0xFF));
      bits -= 8;
    }
  }
  return out;
}

std::string hotp(const Bytes& secret, uint64_t counter, int digits) {
  uint8_t message[8];
  for (int i = 7; i >= 0; --i) {
    message[i] = static_cast<uint8_t>(counter & 0xFF);
    counter >>= 8;
  }
  uint8_t mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()), message, sizeof message, mac, &length);
  // Dynamic truncation (RFC 4226, section 5.3).
  const int offset = mac[length - 1] & 0x0F;
  const uint32_t binary = (static_cast<uint32_t>(mac[offset] & 0x7F) << 24) | (static_cast<uint32_t>(mac[offset + 1]) << 16) |
                          (static_cast<uint32_t>(mac[offset + 2]) << 8) | mac[offset + 3];
  uint32_t modulus = 1;
  for (int i = 0; i < digits; ++i) modulus *= 10;
  std::string code = std::to_string(binary % modulus);
  return std::string(static_cast<size_t>(digits) - code.size(), '0') + code;
}

std::optional<int64_t> verifyTotp(const Bytes& secret, std::string_view code, int64_t unixSeconds, int64_t lastUsedStep) {
  if (code.size() != 6 || code.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  const int64_t now = totpStep(unixSeconds);
  std::optional<int64_t> found;
  // Every candidate is computed and compared, so the time taken does not say which matched.
  for (int64_t step = now - 1; step <= now + 1; ++step) {
    const std::string want = hotp(secret, static_cast<uint64_t>(step));
    if (constantTimeEqual(reinterpret_cast<const uint8_t*>(want.data()), reinterpret_cast<const uint8_t*>(code.data()), 6) &&
        step > lastUsedStep && !found)
      found = step;
  }
  return found;
}

std::string otpauthUri(std::string_view issuer, std::string_view account, const Bytes& secret) {
  return "otpauth://totp/" + uriComponent(issuer) + ":" + uriComponent(account) + "?secret=" + base32Encode(secret) +
         "&issuer=" + uriComponent(issuer) + "&algorithm=SHA1&digits=6&period=30";
}

}  // namespace tocsin
