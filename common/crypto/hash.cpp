#include "common/crypto/hash.h"

#define OPENSSL_SUPPRESS_DEPRECATED  // SHA256_Init & co., see HmacKey
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace tocsin {

Digest sha256(std::string_view data) {
  Digest out;
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data());
  return out;
}

Digest hmacSha256(const Bytes& key, std::string_view data) {
  HmacSha256 mac(key);
  mac.update(data);
  return mac.finish();
}

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("OpenSSL could not initialise SHA-256");
}

Sha256::~Sha256() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void Sha256::update(std::string_view data) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data.data(), data.size());
}

Digest Sha256::finish() {
  Digest out;
  unsigned len = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), out.data(), &len);
  return out;
}

namespace {

// Fetching the HMAC implementation from the provider is costly: do it once per process.
EVP_MAC* hmacAlgorithm() {
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  return mac;
}

EVP_MAC_CTX* keyedContext(const Bytes& key) {
  EVP_MAC_CTX* ctx = hmacAlgorithm() ? EVP_MAC_CTX_new(hmacAlgorithm()) : nullptr;
  char digestName[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digestName, 0), OSSL_PARAM_construct_end()};
  if (!ctx || EVP_MAC_init(ctx, key.data(), key.size(), params) != 1) {
    // OpenSSL without HMAC/SHA-256 cannot run Tocsin at all: fail loudly.
    EVP_MAC_CTX_free(ctx);
    throw std::runtime_error("OpenSSL could not initialise HMAC-SHA256");
  }
  return ctx;
}

EVP_MAC_CTX* asMac(void* p) { return static_cast<EVP_MAC_CTX*>(p); }

}  // namespace

HmacSha256::HmacSha256(const Bytes& key) : ctx_(keyedContext(key)) {}
HmacSha256::~HmacSha256() { EVP_MAC_CTX_free(asMac(ctx_)); }

void HmacSha256::update(std::string_view data) {
  EVP_MAC_update(asMac(ctx_), reinterpret_cast<const unsigned char*>(data.data()), data.size());
}

Digest HmacSha256::finish() {
  Digest out;
  size_t len = 0;
  EVP_MAC_final(asMac(ctx_), out.data(), &len, out.size());
  return out;
}

namespace {

// Low-level SHA-256 contexts give the precomputed-pad HMAC its speed: a context after one
// 64-byte block is copied by value. OpenSSL 3 marks this API deprecated but still provides it.
struct Sha256State {
  SHA256_CTX ctx;
};

Sha256State absorbPad(const Bytes& key, uint8_t pad) {
  std::array<uint8_t, 64> block{};
  if (key.size() > block.size()) {
    const Digest d = sha256(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()));
    std::copy(d.begin(), d.end(), block.begin());
  } else {
    std::copy(key.begin(), key.end(), block.begin());
  }
  for (auto& b : block) b ^= pad;
  Sha256State s;
  SHA256_Init(&s.ctx);
  SHA256_Update(&s.ctx, block.data(), block.size());
  return s;
}

}  // namespace

HmacKey::HmacKey(const Bytes& key) {
  static_assert(sizeof(SHA256_CTX) >= sizeof(State::h));
  const Sha256State in = absorbPad(key, 0x36), out = absorbPad(key, 0x5c);
  // Only the chaining values differ from a fresh context after exactly one block.
  std::copy(std::begin(in.ctx.h), std::end(in.ctx.h), inner_.h);
  std::copy(std::begin(out.ctx.h), std::end(out.ctx.h), outer_.h);
}

Digest HmacKey::mac(std::initializer_list<std::string_view> pieces) const {
  auto resume = [](const State& st) {
    SHA256_CTX ctx;
    SHA256_Init(&ctx);
    std::copy(std::begin(st.h), std::end(st.h), ctx.h);
    ctx.Nl = 512;  // one 64-byte block already absorbed
    return ctx;
  };
  SHA256_CTX ctx = resume(inner_);
  for (std::string_view p : pieces) SHA256_Update(&ctx, p.data(), p.size());
  Digest innerDigest;
  SHA256_Final(innerDigest.data(), &ctx);
  ctx = resume(outer_);
  SHA256_Update(&ctx, innerDigest.data(), innerDigest.size());
  Digest out;
  SHA256_Final(out.data(), &ctx);
  return out;
}

Digest HmacKey::mac(std::string_view data) const { return mac({data}); }

bool constantTimeEqual(const uint8_t* a, const uint8_t* b, size_t n) { return CRYPTO_memcmp(a, b, n) == 0; }

std::string toHex(const uint8_t* data, size_t n) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 0x0F];
  }
  return out;
}

namespace {
int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

Result<Bytes> fromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return Status::invalid("hex text has an odd number of digits");
  Bytes out(hex.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = hexValue(hex[2 * i]), lo = hexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0)
      return Status::invalid("'" + std::string(1, hi < 0 ? hex[2 * i] : hex[2 * i + 1]) + "' at offset " +
                             std::to_string(hi < 0 ? 2 * i : 2 * i + 1) + " is not a hex digit");
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return out;
}

Result<Digest> digestFromHex(std::string_view hex) {
  if (hex.size() != 64) return Status::invalid("a SHA-256 digest is 64 hex digits, got " + std::to_string(hex.size()));
  TOCSIN_ASSIGN_OR_RETURN(Bytes b, fromHex(hex));
  Digest d;
  std::copy(b.begin(), b.end(), d.begin());
  return d;
}

std::string toBase64(const uint8_t* data, size_t n) {
  std::string out(4 * ((n + 2) / 3) + 1, '\0');
  const int len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(n));
  out.resize(static_cast<size_t>(len));
  return out;
}

Result<Bytes> fromBase64(std::string_view text) {
  if (text.size() % 4 != 0) return Status::invalid("base64 text length is not a multiple of 4");
  Bytes out(text.size() / 4 * 3);
  const int len = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                  static_cast<int>(text.size()));
  if (len < 0) return Status::invalid("text is not valid base64");
  size_t padding = 0;
  if (!text.empty() && text.back() == '=') ++padding;
  if (text.size() > 1 && text[text.size() - 2] == '=') ++padding;
  out.resize(static_cast<size_t>(len) - padding);
  return out;
}

Result<Bytes> randomBytes(size_t n) {
  Bytes out(n);
  if (RAND_bytes(out.data(), static_cast<int>(n)) != 1)
    return Status::internal("the system random number generator failed");
  return out;
}

}  // namespace tocsin
