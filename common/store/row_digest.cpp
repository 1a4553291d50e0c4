#include "common/store/row_digest.h"

namespace tocsin {
namespace {

class Canonical {
 public:
  explicit Canonical(std::string_view label) : out_(label) { out_ += '\n'; }
  Canonical& text(std::string_view v) {
    out_ += std::to_string(v.size());
    out_ += ':';
    out_ += v;
    out_ += '\n';
    return *this;
  }
  Canonical& number(int64_t v) { return text(std::to_string(v)); }
  // An absent value is told apart from an empty one.
  Canonical& optionalText(const std::optional<std::string>& v) { return v ? text("=").text(*v) : text("-"); }
  Canonical& optionalNumber(const std::optional<int64_t>& v) { return v ? text("=").number(*v) : text("-"); }
  std::string digest() const { return toHex(sha256(out_)); }

 private:
  std::string out_;
};

}  // namespace

std::string rowDigest(const ConsentEvent& e) {
  return Canonical("tocsin.consent-event.v1")
      .number(e.contactId)
      .text(e.purpose)
      .text(consentActionName(e.action))
      .optionalText(e.textId)
      .optionalNumber(e.textVersion)
      .optionalText(e.textSha256)
      .text(e.language)
      .text(e.channel)
      .text(e.method)
      .optionalText(e.evidence)
      .number(toMicros(e.recordedAt))
      .digest();
}

std::string rowDigest(const ConsentText& t) {
  return Canonical("tocsin.consent-text.v1")
      .text(t.textId)
      .text(t.language)
      .number(t.version)
      .text(t.sha256)
      .text(t.body)
      .number(toMicros(t.createdAt))
      .digest();
}

std::string rowDigest(const Suppression& s) {
  return Canonical("tocsin.suppression.v1")
      .text(std::string_view(reinterpret_cast<const char*>(s.fingerprint.data()), s.fingerprint.size()))
      .number(s.keyVersion)
      .text(s.reason)
      .number(toMicros(s.createdAt))
      .digest();
}

std::string suppressionKey(const Digest& fingerprint) {
  return toHex(sha256(std::string_view(reinterpret_cast<const char*>(fingerprint.data()), fingerprint.size())));
}

ProvenRow provenRow(const ConsentEvent& e) { return {kProvenConsentEvents, std::to_string(e.id), rowDigest(e), {}}; }
ProvenRow provenRow(const ConsentText& t) { return {kProvenConsentTexts, std::to_string(t.id), rowDigest(t), {}}; }
ProvenRow provenRow(const Suppression& s) { return {kProvenSuppressions, suppressionKey(s.fingerprint), rowDigest(s), {}}; }

}  // namespace tocsin
