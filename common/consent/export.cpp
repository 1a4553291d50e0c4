#include "common/consent/export.h"

#include <Poco/JSON/Object.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>
#include <sstream>
#include <tuple>

#include "common/crypto/key_files.h"
#include "common/csv/csv.h"

namespace tocsin {
namespace {

constexpr const char* kSignatureMagic = "tocsin-consent-export-signature v1";

std::string csvField(std::string_view v) { return csvSafeCell(v); }

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

const char* kCsvTextsHeader = "text_id,text_language,text_version,text_sha256,text_body\n";

std::string csvTextLine(const ConsentText& t) {
  return csvField(t.textId) + "," + csvField(t.language) + "," + csvField(std::to_string(t.version)) + "," +
         csvField(t.sha256) + "," + csvField(t.body) + "\n";
}

std::string jsonText(const ConsentText& t) {
  Poco::JSON::Object obj(Poco::JSON_PRESERVE_KEY_ORDER);
  obj.set("text_id", t.textId);
  obj.set("language", t.language);
  obj.set("version", t.version);
  obj.set("sha256", t.sha256);
  obj.set("body", t.body);
  std::ostringstream out;
  obj.stringify(out);
  return out.str();
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

Result<std::string> signatureOf(const Ed25519KeyPair& key, const std::string& sha, uint64_t bytes, Timestamp signedAt) {
  const std::string signedAtText = formatUtc(signedAt);
  TOCSIN_ASSIGN_OR_RETURN(Bytes sig, key.sign(statement(sha, bytes, signedAtText)));
  std::ostringstream out;
  out << kSignatureMagic << "\nsha256 " << sha << "\nbytes " << bytes << "\nsigned-at " << signedAtText
      << "\nkey ed25519 " << keyFingerprint(key.publicKey()) << " " << toBase64(key.publicKey()) << "\nsignature "
      << toBase64(sig) << "\n";
  return out.str();
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
    // It holds phone numbers: its owner's alone, whatever the umask.
    const int fd = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0 && !(file_ = ::fdopen(fd, "wb"))) ::close(fd);
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
  TOCSIN_ASSIGN_OR_RETURN(AuditVerification proof, audit.verify(store));
  if (!proof.intact())
    return Status::dataLoss("refusing to sign a consent export: the audit log does not vouch for the store. " +
                            proof.explanation);
  // The export and its audit entry come from one transaction, so the entry's count matches the file.
  TOCSIN_RETURN_IF_ERROR(audit.write(store, actor, [&](StoreTx& tx, AuditRecorder& rec) {
    bool first = true;
    std::set<std::tuple<std::string, std::string, int64_t>> cited;
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
      if (e.textId && e.textVersion) cited.emplace(*e.textId, e.language, *e.textVersion);
      if (format == ExportFormat::kCsv) {
        file.write(csvLine(e, phone));
      } else {
        file.write(first ? "\n" : ",\n");
        file.write(jsonEvent(e, phone));
      }
      first = false;
    });
    // The appendix: each text cited, once, exactly as shown.
    std::vector<ConsentText> texts;
    for (const auto& [id, language, version] : cited)
      if (auto t = tx.consent().findText(id, language, version)) texts.push_back(*t);
    if (format == ExportFormat::kCsv) {
      file.write(std::string("\n") + kCsvTextsHeader);
      for (const ConsentText& t : texts) file.write(csvTextLine(t));
    } else {
      file.write("\n],\"texts\":[");
      for (size_t i = 0; i < texts.size(); ++i) file.write((i ? ",\n" : "\n") + jsonText(texts[i]));
      file.write("\n]}\n");
    }
    summary.texts = static_cast<int64_t>(texts.size());
    rec.record("consent.export", "export",
               "events=" + std::to_string(summary.events) + " texts=" + std::to_string(texts.size()) + filterText(filter));
    return Status::okStatus();
  }));

  summary.sha256 = file.sha256Hex();
  const uint64_t bytes = file.bytes();
  TOCSIN_RETURN_IF_ERROR(file.commit());
  TOCSIN_ASSIGN_OR_RETURN(std::string sigText, signatureOf(key, summary.sha256, bytes, signedAt));
  summary.keyFingerprint = keyFingerprint(key.publicKey());
  summary.signaturePath = outPath + ".sig";
  TOCSIN_RETURN_IF_ERROR(writePrivateFile(summary.signaturePath, sigText));
  return summary;
}

Result<std::string> signatureFor(const Ed25519KeyPair& key, std::string_view content, Timestamp signedAt) {
  return signatureOf(key, toHex(sha256(content)), content.size(), signedAt);
}

Status writePrivateFile(const std::string& path, const std::string& content) {
  return writeFileAtomically(path, content, 0600);
}


namespace {

struct ParsedSignature {
  std::string sha, signedAt, fingerprint;
  uint64_t bytes = 0;
  Bytes publicKey, signature;
};

Result<ParsedSignature> parseSignature(const std::string& path) {
  auto sigText = readWholeFile(path + ".sig");
  if (!sigText.ok()) return sigText.status().withContext("signature file");
  std::istringstream in(*sigText);
  std::string magic, w1, w2, w3, w4, alg, pubB64, w5, sigB64;
  ParsedSignature p;
  std::getline(in, magic);
  in >> w1 >> p.sha >> w2 >> p.bytes >> w3 >> p.signedAt >> w4 >> alg >> p.fingerprint >> pubB64 >> w5 >> sigB64;
  if (magic != kSignatureMagic || w1 != "sha256" || w2 != "bytes" || w3 != "signed-at" || w4 != "key" ||
      alg != "ed25519" || w5 != "signature")
    return Status::dataLoss("signature file " + path + ".sig is malformed");
  auto sig = fromBase64(sigB64);
  auto pub = fromBase64(pubB64);
  if (!sig.ok() || !pub.ok()) return Status::dataLoss("signature file " + path + ".sig is malformed");
  p.publicKey = *pub;
  p.signature = *sig;
  return p;
}

}  // namespace

Result<ExportVerification> verifyConsentExport(const std::string& path, const Bytes& trustedPublicKey) {
  TOCSIN_ASSIGN_OR_RETURN(std::string body, readWholeFile(path));
  TOCSIN_ASSIGN_OR_RETURN(ParsedSignature p, parseSignature(path));
  if (p.publicKey != trustedPublicKey)
    return Status::dataLoss("the export was signed by key " + p.fingerprint + ", not by the trusted key " +
                            keyFingerprint(trustedPublicKey));
  const std::string actual = toHex(sha256(body));
  if (actual != p.sha || body.size() != p.bytes)
    return Status::dataLoss("the export file was changed after signing: its SHA-256 is " + actual +
                            ", the signature covers " + p.sha);
  TOCSIN_RETURN_IF_ERROR(verifyEd25519(trustedPublicKey, statement(p.sha, p.bytes, p.signedAt), p.signature));
  return ExportVerification{p.sha, p.signedAt, p.fingerprint};
}

Result<ExportVerification> verifyConsentExport(const std::string& path, const std::vector<TrustedKey>& trusted) {
  TOCSIN_ASSIGN_OR_RETURN(ParsedSignature p, parseSignature(path));
  for (const TrustedKey& k : trusted) {
    if (k.publicKey != p.publicKey) continue;
    TOCSIN_ASSIGN_OR_RETURN(ExportVerification v, verifyConsentExport(path, k.publicKey));
    auto at = parseTimestamp(v.signedAt);
    if (!at.ok() || *at < k.from || (k.until && *at >= *k.until))
      return Status::dataLoss("the export says it was signed at " + v.signedAt + " by key " + v.keyFingerprint +
                              ", which was not the store's signing key then");
    return v;
  }
  return Status::dataLoss("the export was signed by key " + p.fingerprint + ", which this store never used");
}

}  // namespace tocsin
