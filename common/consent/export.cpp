#include "common/consent/export.h"

#include <Poco/JSON/Object.h>

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sstream>

#include "common/crypto/key_files.h"

namespace tocsin {
namespace {

constexpr const char* kSignatureMagic = "tocsin-consent-export-signature v1";

std::string csvField(std::string_view v) {
  if (v.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(v);
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string opt(const std::optional<std::string>& v) { return v.value_or(""); }
std::string opt(const std::optional<int64_t>& v) { return v ? std::to_string(*v) : ""; }

const char* kCsvHeader =
    "event_id,recorded_at,contact_id,phone,purpose,action,text_id,text_version,text_sha256,language,channel,method,"
    "evidence\n";

std::string csvLine(const ConsentEvent& e, const std::string& phone) {
  const std::string fields[] = {std::to_string(e.id), formatUtc(e.recordedAt), std::to_string(e.contactId), phone,
                                e.purpose,            consentActionName(e.action), opt(e.textId), opt(e.textVersion),
                                opt(e.textSha256),    e.language,              e.channel,         e.method,
                                opt(e.evidence)};
  std::string line;
  for (size_t i = 0; i < std::size(fields); ++i) {
    if (i) line += ',';
    line += csvField(fields[i]);
  }
  return line + '\n';
}

std::string jsonEvent(const ConsentEvent& e, const std::string& phone) {
  Poco::JSON::Object obj(Poco::JSON_PRESERVE_KEY_ORDER);
  obj.set("event_id", e.id);
  obj.set("recorded_at", formatUtc(e.recordedAt));
  obj.set("contact_id", e.contactId);
  obj.set("phone", phone);
  obj.set("purpose", e.purpose);
  obj.set("action", std::string(consentActionName(e.action)));
  if (e.textId) {
    obj.set("text_id", *e.textId);
    obj.set("text_version", e.textVersion.value_or(0));
    obj.set("text_sha256", opt(e.textSha256));
  }
  obj.set("language", e.language);
  obj.set("channel", e.channel);
  obj.set("method", e.method);
  if (e.evidence) obj.set("evidence", *e.evidence);
  std::ostringstream out;
  obj.stringify(out);
  return out.str();
}

std::string statement(const std::string& sha, uint64_t bytes, const std::string& signedAt) {
  return std::string(kSignatureMagic) + "\nsha256 " + sha + "\nbytes " + std::to_string(bytes) + "\nsigned-at " +
         signedAt + "\n";
}

std::string filterText(const ConsentExportFilter& f) {
  std::string out;
  if (f.from) out += " from=" + formatUtc(*f.from);
  if (f.to) out += " to=" + formatUtc(*f.to);
  if (f.purpose) out += " purpose=" + *f.purpose;
  return out;
}

// Streams the export to a temporary file beside the target, hashing as it goes.
class ExportFile {
 public:
  explicit ExportFile(const std::string& path) : path_(path), tmp_(path + ".partial") {
    file_ = std::fopen(tmp_.c_str(), "wbx");
  }
  ~ExportFile() {
    if (file_) {
      std::fclose(file_);
      std::remove(tmp_.c_str());
    }
  }
  bool opened() const { return file_ != nullptr; }
  void write(std::string_view data) {
    if (std::fwrite(data.data(), 1, data.size(), file_) != data.size()) failed_ = true;
    hash_.update(data);
    bytes_ += data.size();
  }
  // Flushes, syncs and moves the file into place.
  Status commit() {
    const bool ok = !failed_ && std::fflush(file_) == 0 && ::fsync(::fileno(file_)) == 0;
    std::fclose(file_);
    file_ = nullptr;
    if (!ok || std::rename(tmp_.c_str(), path_.c_str()) != 0) {
      std::remove(tmp_.c_str());
      return Status::ioError("cannot write " + path_ + ": " + std::strerror(errno));
    }
    return Status::okStatus();
  }
  std::string sha256Hex() { return toHex(hash_.finish()); }
  uint64_t bytes() const { return bytes_; }

 private:
  std::string path_, tmp_;
  std::FILE* file_ = nullptr;
  Sha256 hash_;
  uint64_t bytes_ = 0;
  bool failed_ = false;
};

}  // namespace

Result<ExportSummary> exportConsent(Store& store, AuditLog& audit, const Ed25519KeyPair& key, const std::string& actor,
                                    ExportFormat format, const ConsentExportFilter& filter,
                                    const std::string& outPath) {
  ExportSummary summary;
  ExportFile file(outPath);
  if (!file.opened())
    return Status::ioError("cannot create " + outPath + ".partial: " + std::strerror(errno) +
                           " (a stale .partial file from an interrupted export must be removed first)");
  const Timestamp signedAt = audit.clock().now();
  // The export and its audit entry come from one transaction, so the entry's count matches the file.
  TOCSIN_RETURN_IF_ERROR(audit.write(store, actor, [&](StoreTx& tx, AuditRecorder& rec) {
    bool first = true;
    if (format == ExportFormat::kCsv) {
      file.write(kCsvHeader);
    } else {
      Poco::JSON::Object head(Poco::JSON_PRESERVE_KEY_ORDER);
      head.set("format", std::string("tocsin-consent-export"));
      head.set("version", 1);
      head.set("generated_at", formatUtc(signedAt));
      std::ostringstream h;
      head.stringify(h);
      std::string text = h.str();
      text.pop_back();  // reopen the object to append the events array
      file.write(text + ",\"events\":[");
    }
    tx.consent().forEachForExport(filter, [&](const ConsentEvent& e, const std::string& phone) {
      ++summary.events;
      if (format == ExportFormat::kCsv) {
        file.write(csvLine(e, phone));
      } else {
        file.write(first ? "\n" : ",\n");
        file.write(jsonEvent(e, phone));
      }
      first = false;
    });
    if (format == ExportFormat::kJson) file.write("\n]}\n");
    rec.record("consent.export", "export", "events=" + std::to_string(summary.events) + filterText(filter));
    return Status::okStatus();
  }));

  summary.sha256 = file.sha256Hex();
  const uint64_t bytes = file.bytes();
  TOCSIN_RETURN_IF_ERROR(file.commit());
  const std::string signedAtText = formatUtc(signedAt);
  TOCSIN_ASSIGN_OR_RETURN(Bytes sig, key.sign(statement(summary.sha256, bytes, signedAtText)));
  summary.keyFingerprint = keyFingerprint(key.publicKey());
  summary.signaturePath = outPath + ".sig";
  std::ostringstream sigFile;
  sigFile << kSignatureMagic << "\nsha256 " << summary.sha256 << "\nbytes " << bytes << "\nsigned-at "
          << signedAtText << "\nkey ed25519 " << summary.keyFingerprint << " " << toBase64(key.publicKey())
          << "\nsignature " << toBase64(sig) << "\n";
  TOCSIN_RETURN_IF_ERROR(writeFileAtomically(summary.signaturePath, sigFile.str(), 0640));
  return summary;
}

Result<ExportVerification> verifyConsentExport(const std::string& path, const Bytes& trustedPublicKey) {
  TOCSIN_ASSIGN_OR_RETURN(std::string body, readWholeFile(path));
  auto sigText = readWholeFile(path + ".sig");
  if (!sigText.ok()) return sigText.status().withContext("signature file");
  std::istringstream in(*sigText);
  std::string magic, w1, sha, w2, w3, signedAt, w4, alg, fingerprint, pubB64, w5, sigB64;
  uint64_t bytes = 0;
  std::getline(in, magic);
  in >> w1 >> sha >> w2 >> bytes >> w3 >> signedAt >> w4 >> alg >> fingerprint >> pubB64 >> w5 >> sigB64;
  if (magic != kSignatureMagic || w1 != "sha256" || w2 != "bytes" || w3 != "signed-at" || w4 != "key" ||
      alg != "ed25519" || w5 != "signature")
    return Status::dataLoss("signature file " + path + ".sig is malformed");
  auto sig = fromBase64(sigB64);
  auto pub = fromBase64(pubB64);
  if (!sig.ok() || !pub.ok()) return Status::dataLoss("signature file " + path + ".sig is malformed");
  if (*pub != trustedPublicKey)
    return Status::dataLoss("the export was signed by key " + fingerprint + ", not by the trusted key " +
                            keyFingerprint(trustedPublicKey));
  const std::string actual = toHex(sha256(body));
  if (actual != sha || body.size() != bytes)
    return Status::dataLoss("the export file was changed after signing: its SHA-256 is " + actual +
                            ", the signature covers " + sha);
  TOCSIN_RETURN_IF_ERROR(verifyEd25519(trustedPublicKey, statement(sha, bytes, signedAt), *sig));
  return ExportVerification{sha, signedAt, fingerprint};
}

}  // namespace tocsin
