#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <thread>

#include "common/crypto/hash.h"
#include "common/crypto/key_files.h"
#include "common/crypto/signing.h"
#include "tests/support/temp_dir.h"

using namespace tocsin;
using tocsin::testing::TempDir;

TEST_CASE("SHA-256 and HMAC-SHA256 match published test vectors") {
  CHECK(toHex(sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // RFC 4231 test case 2.
  const Bytes key = {'J', 'e', 'f', 'e'};
  CHECK(toHex(hmacSha256(key, "what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  HmacSha256 stepwise(key);
  stepwise.update("what do ya want ");
  stepwise.update("for nothing?");
  CHECK(toHex(stepwise.finish()) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  Sha256 s;
  s.update("a");
  s.update("bc");
  CHECK(toHex(s.finish()) == toHex(sha256("abc")));
}

TEST_CASE("Hex and base64 round-trip and reject bad input") {
  const Bytes data = {0x00, 0xFF, 0x10, 0x7A, 0x80};
  CHECK(toHex(data) == "00ff107a80");
  CHECK(*fromHex("00FF107a80") == data);
  CHECK_FALSE(fromHex("0").ok());
  CHECK(fromHex("zz").status().message().find("not a hex digit") != std::string::npos);
  for (size_t n = 0; n < 8; ++n) {
    Bytes b(data.begin(), data.begin() + static_cast<long>(std::min(n, data.size())));
    CHECK(*fromBase64(toBase64(b)) == b);
  }
  CHECK_FALSE(fromBase64("abc").ok());
}

TEST_CASE("Ed25519 verifies RFC 8032 test 1 and rejects a changed message") {
  // RFC 8032 section 7.1, TEST 1: public key and signature of the empty message.
  const Bytes pub = *fromHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  const Bytes sig = *fromHex(
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24"
      "655141438e7a100b");
  CHECK(verifyEd25519(pub, "", sig).ok());
  CHECK(verifyEd25519(pub, "x", sig).code() == StatusCode::kDataLoss);
}

TEST_CASE("A generated key pair signs and verifies, and survives PEM") {
  auto pair = Ed25519KeyPair::generate();
  REQUIRE(pair.ok());
  auto sig = pair->sign("consent export");
  REQUIRE(sig.ok());
  CHECK(verifyEd25519(pair->publicKey(), "consent export", *sig).ok());
  auto again = Ed25519KeyPair::fromPem(pair->privatePem());
  REQUIRE(again.ok());
  CHECK(again->publicKey() == pair->publicKey());
  CHECK(keyFingerprint(pair->publicKey()).size() == 16);
}

TEST_CASE("Secret keys are created once, mode 0600, in a 0700 directory, and only when asked") {
  TempDir dir;
  KeyDirectory keys(dir.file("keys"));
  auto missing = keys.secret("audit");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == StatusCode::kNotFound);
  CHECK(missing.status().message().find(keys.file("audit.key")) != std::string::npos);
  auto first = keys.createSecret("audit");
  REQUIRE(first.ok());
  CHECK(first->size() == 32);
  CHECK(*keys.secret("audit") == *first);
  CHECK(*keys.createSecret("audit") == *first);
  CHECK(*keys.createSecret("suppression") != *first);
  struct stat sb {};
  REQUIRE(::stat(keys.file("audit.key").c_str(), &sb) == 0);
  CHECK((sb.st_mode & 0777) == 0600);
  REQUIRE(::stat(keys.path().c_str(), &sb) == 0);
  CHECK((sb.st_mode & 0777) == 0700);
}

TEST_CASE("Processes racing to create a key agree on one") {
  TempDir dir;
  KeyDirectory keys(dir.file("keys"));
  std::vector<Bytes> seen(8);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < seen.size(); ++i)
    threads.emplace_back([&, i] { seen[i] = keys.createSecret("race").value(); });
  for (auto& t : threads) t.join();
  for (const auto& k : seen) CHECK(k == seen[0]);
}

TEST_CASE("A key file readable by others is refused, not used") {
  TempDir dir;
  KeyDirectory keys(dir.file("keys"));
  REQUIRE(keys.createSecret("audit").ok());
  ::chmod(keys.file("audit.key").c_str(), 0644);
  auto again = keys.secret("audit");
  REQUIRE_FALSE(again.ok());
  CHECK(again.status().code() == StatusCode::kPermissionDenied);
  CHECK(again.status().message().find("chmod 600") != std::string::npos);
}

TEST_CASE("A damaged key file is reported, not replaced") {
  TempDir dir;
  KeyDirectory keys(dir.file("keys"));
  REQUIRE(keys.ensureExists().ok());
  const std::string path = keys.file("audit.key");
  tocsin::testing::writeFile(path, "not hex\n");
  ::chmod(path.c_str(), 0600);
  CHECK(keys.secret("audit").status().code() == StatusCode::kDataLoss);
}

TEST_CASE("A prepared HMAC key gives the same MACs as HMAC-SHA256, for any key length") {
  for (size_t keyLen : {1u, 4u, 32u, 64u, 65u, 131u}) {
    Bytes key(keyLen);
    for (size_t i = 0; i < keyLen; ++i) key[i] = static_cast<uint8_t>(i * 7 + 1);
    const HmacKey prepared(key);
    for (std::string data : {std::string(), std::string("abc"), std::string(55, 'x'), std::string(64, 'y'),
                             std::string(1000, 'z')}) {
      INFO("key " << keyLen << " bytes, data " << data.size() << " bytes");
      CHECK(prepared.mac(data) == hmacSha256(key, data));
      if (data.size() > 3) CHECK(prepared.mac({data.substr(0, 3), data.substr(3)}) == hmacSha256(key, data));
    }
  }
  // RFC 4231 test case 6: a key longer than the block size.
  const Bytes longKey(131, 0xaa);
  CHECK(toHex(HmacKey(longKey).mac("Test Using Larger Than Block-Size Key - Hash Key First")) ==
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

// --- passwords and TOTP ------------------------------------------------------------------------

#include "common/crypto/password.h"
#include "common/crypto/totp.h"

namespace {
tocsin::Bytes bytesOf(const std::string& s) { return tocsin::Bytes(s.begin(), s.end()); }
}  // namespace

TEST_CASE("base32 follows RFC 4648's test vectors and refuses other characters", "[crypto][totp]") {
  using tocsin::base32Decode;
  using tocsin::base32Encode;
  const std::vector<std::pair<std::string, std::string>> vectors = {
      {"", ""}, {"f", "MY"}, {"fo", "MZXQ"}, {"foo", "MZXW6"}, {"foob", "MZXW6YQ"}, {"fooba", "MZXW6YTB"}, {"foobar", "MZXW6YTBOI"}};
  for (const auto& [plain, encoded] : vectors) {
    CHECK(base32Encode(bytesOf(plain)) == encoded);
    CHECK(base32Decode(encoded).value() == bytesOf(plain));
  }
  CHECK(base32Decode("mzxw6ytboi======").value() == bytesOf("foobar"));
  CHECK_FALSE(base32Decode("MZXW1").ok());
}

TEST_CASE("HOTP and TOTP give RFC 4226's and RFC 6238's SHA-1 test values", "[crypto][totp]") {
  const tocsin::Bytes secret = bytesOf("12345678901234567890");
  const std::vector<std::string> hotp = {"755224", "287082", "359152", "969429", "338314",
                                         "254676", "287922", "162583", "399871", "520489"};
  for (size_t i = 0; i < hotp.size(); ++i) CHECK(tocsin::hotp(secret, i) == hotp[i]);
  const std::vector<std::pair<int64_t, std::string>> totp = {{59, "94287082"},         {1111111109, "07081804"},
                                                             {1111111111, "14050471"}, {1234567890, "89005924"},
                                                             {2000000000, "69279037"}, {20000000000, "65353130"}};
  for (const auto& [t, code] : totp) CHECK(tocsin::hotp(secret, static_cast<uint64_t>(tocsin::totpStep(t)), 8) == code);
}

TEST_CASE("a TOTP code is accepted in its step or one step either side, once, and nothing else is", "[crypto][totp]") {
  const tocsin::Bytes secret = bytesOf("12345678901234567890");
  const int64_t now = 1234567890;
  const int64_t step = tocsin::totpStep(now);
  const std::string code = tocsin::hotp(secret, static_cast<uint64_t>(step));
  CHECK(tocsin::verifyTotp(secret, code, now, 0) == step);
  CHECK(tocsin::verifyTotp(secret, code, now + 30, 0) == step);  // the phone's clock is behind
  CHECK(tocsin::verifyTotp(secret, code, now - 30, 0) == step);  // or ahead
  CHECK_FALSE(tocsin::verifyTotp(secret, code, now + 90, 0));     // too late
  CHECK_FALSE(tocsin::verifyTotp(secret, code, now, step));       // already used
  CHECK_FALSE(tocsin::verifyTotp(secret, "12345", now, 0));
  CHECK_FALSE(tocsin::verifyTotp(secret, "abcdef", now, 0));
  const std::string uri = tocsin::otpauthUri("Tocsin Town", "olivia", secret);
  CHECK(uri == "otpauth://totp/Tocsin%20Town:olivia?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Tocsin%20Town"
               "&algorithm=SHA1&digits=6&period=30");
}

TEST_CASE("passwords are kept as salted scrypt hashes that verify only the same password", "[crypto][password]") {
  const tocsin::ScryptCost cheap{1024, 8, 1};  // the default cost is for production; this is for speed
  const std::string a = tocsin::hashPassword("correct horse battery", cheap).value();
  const std::string b = tocsin::hashPassword("correct horse battery", cheap).value();
  CHECK(a.rfind("scrypt$1024$8$1$", 0) == 0);
  CHECK(a != b);  // salted
  CHECK(tocsin::verifyPassword("correct horse battery", a));
  CHECK_FALSE(tocsin::verifyPassword("correct horse batterY", a));
  CHECK_FALSE(tocsin::verifyPassword("correct horse battery", "scrypt$1024$8$1$bad"));
  CHECK_FALSE(tocsin::verifyPassword("correct horse battery", "scrypt$999$8$1$" + a.substr(a.rfind('$', a.rfind('$') - 1) + 1)));
  CHECK_FALSE(tocsin::verifyPassword("x", "scrypt$4294967296$8$1$AAAA$AAAA"));  // a tampered cost is refused, not run
  CHECK(tocsin::verifyPassword("correct horse battery", tocsin::hashPassword("correct horse battery").value()));
  CHECK_FALSE(tocsin::checkPasswordStrength("short").ok());
  CHECK(tocsin::checkPasswordStrength("twelve chars").ok());
  CHECK_FALSE(tocsin::checkPasswordStrength(std::string("twelve\x01 chars!")).ok());
}
