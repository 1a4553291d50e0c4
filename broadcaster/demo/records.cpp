#include <filesystem>
#include <fstream>
#include <map>
#include <ostream>

#include "broadcaster/demo/demo.h"
#include "common/consent/consent.h"
#include "common/consent/export.h"

namespace tocsin::demo {
namespace {

struct PurposeCounts {
  int valid = 0, pending = 0, withdrawn = 0;
};

}  // namespace

Status showConsentRecords(DemoStore& d, std::ostream& out) {
  const Timestamp now = d.clock->now();
  int64_t contacts = 0, events = 0, suppressed = 0;
  std::map<std::string, PurposeCounts> byPurpose;
  std::optional<Contact> example;
  TOCSIN_RETURN_IF_ERROR(d.store->read([&](StoreTx& tx) {
    contacts = tx.contacts().count();
    events = tx.consent().countEvents();
    suppressed = tx.suppressions().count();
    for (ContactId after = 0;;) {
      int64_t seen = 0;
      tx.contacts().list(after, 1000, [&](const Contact& c) {
        after = c.id;
        ++seen;
        for (const char* purpose : {kAlertsPurpose, kPromotions}) {
          auto latest = tx.consent().latest(c.id, purpose);
          if (!latest) continue;
          PurposeCounts& pc = byPurpose[purpose];
          if (tx.consent().hasValidConsent(c.id, purpose, now)) ++pc.valid;
          else if (latest->action == ConsentAction::kWithdrawn) {
            ++pc.withdrawn;
            if (!example) example = c;
          } else ++pc.pending;
        }
      });
      if (seen == 0) break;
    }
    return Status::okStatus();
  }));
  out << "  " << contacts << " contacts, " << events << " consent events, " << suppressed
      << " suppressed fingerprints\n";
  for (const auto& [purpose, c] : byPurpose)
    out << "  " << purpose << ": " << c.valid << " valid (confirmed), " << c.pending << " awaiting confirmation, "
        << c.withdrawn << " withdrawn\n";

  if (example) {
    out << "\n  one person's consent history, " << maskPhone(example->phone) << " (contact #" << example->id
        << "):\n";
    TOCSIN_RETURN_IF_ERROR(d.store->read([&](StoreTx& tx) {
      for (const auto& e : tx.consent().history(example->id)) {
        out << "    " << formatUtc(e.recordedAt) << "  " << e.purpose << "  " << consentActionName(e.action) << "  via "
            << e.channel << " (" << e.method << ")";
        if (e.textId) out << "  text " << *e.textId << " v" << *e.textVersion << "/" << e.language << " sha256 "
                          << e.textSha256->substr(0, 12) << "...";
        out << "\n";
      }
      return Status::okStatus();
    }));
  }

  TOCSIN_ASSIGN_OR_RETURN(AuditVerification v, d.audit->verify(*d.store));
  out << "\n  audit log: " << (v.intact() ? "audit chain intact: " + std::to_string(v.entries) + " entries"
                                           : v.explanation)
      << "\n";

  TOCSIN_ASSIGN_OR_RETURN(auto key, d.keys->signingKey("export-signing"));
  const std::string exportPath = d.dir + "/consent-export.csv";
  TOCSIN_ASSIGN_OR_RETURN(ExportSummary s, exportConsent(*d.store, *d.audit, *key, "demo:auditor", ExportFormat::kCsv,
                                                         {}, exportPath));
  TOCSIN_ASSIGN_OR_RETURN(ExportVerification ok, verifyConsentExport(exportPath, key->publicKey()));
  out << "  auditor export: " << s.events << " events -> " << exportPath << ", signed by Ed25519 key "
      << s.keyFingerprint << "; verification: signature valid\n";
  // Show that a single changed byte is caught.
  const std::string forged = d.dir + "/consent-export-forged.csv";
  std::filesystem::copy_file(exportPath, forged, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(exportPath + ".sig", forged + ".sig", std::filesystem::copy_options::overwrite_existing);
  {
    std::fstream f(forged, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(200);
    f.put('X');
  }
  auto bad = verifyConsentExport(forged, key->publicKey());
  out << "  the same export with one byte changed: "
      << (bad.ok() ? std::string("NOT DETECTED (this is a bug)") : bad.status().message().substr(0, 60) + "...") << "\n";
  return Status::okStatus();
}

}  // namespace tocsin::demo
