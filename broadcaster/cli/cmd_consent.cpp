// tocsinctl consent text add|grant|confirm|withdraw|history|check|export|verify.
#include <ostream>

#include "broadcaster/cli/cli.h"
#include "common/setup/store_keys.h"
#include "common/consent/consent.h"
#include "common/consent/export.h"
#include "common/crypto/signing.h"

namespace tocsin::cli {
namespace {

std::string defaultChannel(CliContext& ctx) { return ctx.actor(); }

Status textAdd(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {{"id"}, {"purpose"}, {"language"}, {"file"}});
  args.expectPositionals(0, 0, "consent text add --id ID --purpose P --language L --file TEXT_FILE");
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  TOCSIN_ASSIGN_OR_RETURN(std::string body, readWholeFile(args.require("file")));
  ConsentText text;
  TOCSIN_RETURN_IF_ERROR(e->audit->write(*e->store, ctx.actor(), [&](StoreTx& tx, AuditRecorder& rec) {
    TOCSIN_ASSIGN_OR_RETURN(text, consent::registerText(tx, rec, args.require("id"), args.require("purpose"), args.require("language"), body));
    return Status::okStatus();
  }));
  ctx.out << "consent text " << text.textId << " (" << text.language << ") version " << text.version
          << " sha256 " << text.sha256 << "\n";
  return Status::okStatus();
}

// grant, confirm and withdraw share their shape: look the contact up, then record one event.
template <typename Apply>
Status recordEvent(CliContext& ctx, const Args& args, Apply apply) {
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  TOCSIN_ASSIGN_OR_RETURN(PhoneNumber phone, e->phones->normalize(args.positionals()[0]));
  std::string message;
  TOCSIN_RETURN_IF_ERROR(e->audit->write(*e->store, ctx.actor(), [&](StoreTx& tx, AuditRecorder& rec) {
    TOCSIN_ASSIGN_OR_RETURN(Contact contact, requireContact(tx, phone));
    TOCSIN_ASSIGN_OR_RETURN(message, apply(tx, rec, contact));
    return Status::okStatus();
  }));
  ctx.out << phone.e164 << ": " << message << "\n";
  return Status::okStatus();
}

ConsentChange changeFrom(CliContext& ctx, const Args& args) {
  return ConsentChange{args.require("purpose"), args.getOr("language", "en"),
                       args.getOr("channel", defaultChannel(ctx)), args.getOr("method", "staff-entry"),
                       args.get("evidence")};
}

const std::vector<OptionSpec> kChangeOptions = {{"purpose"}, {"language"}, {"channel"}, {"method"}, {"evidence"}};

Status grantCmd(CliContext& ctx, const std::vector<std::string>& tokens) {
  auto specs = kChangeOptions;
  specs.push_back({"text"});
  specs.push_back({"version"});
  Args args(tokens, specs);
  args.expectPositionals(1, 1, "consent grant PHONE --purpose P --text TEXT_ID [--version N] --language L "
                               "[--channel C] [--method M] [--evidence E]");
  GrantRequest req{args.require("purpose"), args.require("text"), args.getInt("version", 1, 1 << 30),
                   args.require("language"), args.getOr("channel", defaultChannel(ctx)),
                   args.getOr("method", "staff-entry"), args.get("evidence"), std::nullopt};
  return recordEvent(ctx, args, [&](StoreTx& tx, AuditRecorder& rec, const Contact& c) -> Result<std::string> {
    TOCSIN_ASSIGN_OR_RETURN(ConsentEvent ev, consent::grant(tx, rec, c.id, req));
    return "granted " + ev.purpose + " (text " + *ev.textId + " v" + std::to_string(*ev.textVersion) +
           "), pending confirmation";
  });
}

Status confirmCmd(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, kChangeOptions);
  args.expectPositionals(1, 1, "consent confirm PHONE --purpose P [--channel C] [--method M] [--evidence E]");
  const ConsentChange change = changeFrom(ctx, args);
  return recordEvent(ctx, args, [&](StoreTx& tx, AuditRecorder& rec, const Contact& c) -> Result<std::string> {
    TOCSIN_ASSIGN_OR_RETURN(ConsentEvent ev, consent::confirm(tx, rec, c.id, change));
    return "confirmed " + ev.purpose;
  });
}

Status withdrawCmd(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, kChangeOptions);
  args.expectPositionals(1, 1, "consent withdraw PHONE --purpose P [--channel C] [--method M]");
  const ConsentChange change = changeFrom(ctx, args);
  return recordEvent(ctx, args, [&](StoreTx& tx, AuditRecorder& rec, const Contact& c) -> Result<std::string> {
    TOCSIN_ASSIGN_OR_RETURN(auto ev, consent::withdraw(tx, rec, c.id, change));
    return ev ? "withdrew " + change.purpose : "nothing to withdraw for " + change.purpose;
  });
}

Status historyCmd(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {});
  args.expectPositionals(1, 1, "consent history PHONE");
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  TOCSIN_ASSIGN_OR_RETURN(PhoneNumber phone, e->phones->normalize(args.positionals()[0]));
  return e->store->read([&](StoreTx& tx) {
    TOCSIN_ASSIGN_OR_RETURN(Contact c, requireContact(tx, phone));
    for (const auto& ev : tx.consent().history(c.id)) {
      ctx.out << formatUtc(ev.recordedAt) << "  " << ev.purpose << "  " << consentActionName(ev.action) << "  via "
              << ev.channel << " (" << ev.method << ")";
      if (ev.textId) ctx.out << "  text " << *ev.textId << " v" << *ev.textVersion << " " << ev.language;
      ctx.out << "\n";
    }
    return Status::okStatus();
  });
}

Status checkCmd(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {{"purpose"}});
  args.expectPositionals(1, 1, "consent check PHONE --purpose P");
  const std::string purpose = args.require("purpose");
  TOCSIN_RETURN_IF_ERROR(validatePurpose(purpose));
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  TOCSIN_ASSIGN_OR_RETURN(PhoneNumber phone, e->phones->normalize(args.positionals()[0]));
  bool valid = false;
  TOCSIN_RETURN_IF_ERROR(e->store->read([&](StoreTx& tx) {
    if (auto c = tx.contacts().findByPhone(phone.e164)) valid = tx.consent().hasValidConsent(c->id, purpose, ctx.clock.now());
    return Status::okStatus();
  }));
  ctx.out << phone.e164 << " " << purpose << ": " << (valid ? "valid" : "not valid") << "\n";
  ctx.failedVerdict = !valid;
  return Status::okStatus();
}

Status exportCmd(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {{"format"}, {"out"}, {"from"}, {"to"}, {"purpose"}});
  args.expectPositionals(0, 0, "consent export --format csv|json --out FILE [--from T] [--to T] [--purpose P]");
  const std::string format = args.require("format");
  if (format != "csv" && format != "json") throw UsageError("--format must be csv or json");
  ConsentExportFilter filter;
  if (auto from = args.get("from")) {
    TOCSIN_ASSIGN_OR_RETURN(filter.from, parseTimestamp(*from));
  }
  if (auto to = args.get("to")) {
    TOCSIN_ASSIGN_OR_RETURN(filter.to, parseTimestamp(*to));
  }
  if (auto purpose = args.get("purpose")) {
    TOCSIN_RETURN_IF_ERROR(validatePurpose(*purpose));
    filter.purpose = purpose;
  }
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  TOCSIN_ASSIGN_OR_RETURN(auto key, e->keys.signingKey(kExportSigningKeyName));
  TOCSIN_ASSIGN_OR_RETURN(ExportSummary s,
                          exportConsent(*e->store, *e->audit, *key, ctx.actor(),
                                        format == "csv" ? ExportFormat::kCsv : ExportFormat::kJson, filter,
                                        args.require("out")));
  ctx.out << "exported " << s.events << " consent events and " << s.texts << " consent texts to " << args.require("out") << "\n"
          << "sha256 " << s.sha256 << "\nsigned by key " << s.keyFingerprint << " -> " << s.signaturePath << "\n";
  return Status::okStatus();
}

Status verifyCmd(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {{"public-key"}});
  args.expectPositionals(1, 1, "consent verify FILE [--public-key BASE64]");
  Result<ExportVerification> v = Status::internal("unverified");
  if (auto pub = args.get("public-key")) {
    TOCSIN_ASSIGN_OR_RETURN(Bytes trusted, fromBase64(*pub));
    v = verifyConsentExport(args.positionals()[0], trusted);
  } else {
    // Every signing key the store has had, each for what it signed while it was in use.
    TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
    TOCSIN_ASSIGN_OR_RETURN(auto keys, trustedSigningKeys(*e->store));
    std::vector<TrustedKey> trusted;
    for (const auto& k : keys) trusted.push_back({k.publicKey, k.from, k.until});
    v = verifyConsentExport(args.positionals()[0], trusted);
  }
  if (!v.ok()) {
    if (v.status().code() != StatusCode::kDataLoss) return v.status();
    ctx.out << args.positionals()[0] << ": SIGNATURE INVALID: " << v.status().message() << "\n";
    ctx.failedVerdict = true;
    return Status::okStatus();
  }
  ctx.out << args.positionals()[0] << ": signature valid (sha256 " << v->sha256 << ", signed " << v->signedAt
          << " by key " << v->keyFingerprint << ")\n";
  return Status::okStatus();
}

}  // namespace

const std::vector<Command>& consentCommands() {
  static const std::vector<Command> kCommands = {
      {"consent text add", "consent text add --id ID --language L --file F", "register the exact text of a consent",
       textAdd},
      {"consent grant", "consent grant PHONE --purpose P --text ID ...", "record a consent given (pending)", grantCmd},
      {"consent confirm", "consent confirm PHONE --purpose P ...", "record its confirmation (now valid)", confirmCmd},
      {"consent withdraw", "consent withdraw PHONE --purpose P ...", "record a withdrawal", withdrawCmd},
      {"consent history", "consent history PHONE", "print a contact's consent history", historyCmd},
      {"consent check", "consent check PHONE --purpose P", "is consent valid now? (exit 1 when not)", checkCmd},
      {"consent export", "consent export --format csv|json --out FILE ...", "signed export of consent history",
       exportCmd},
      {"consent verify", "consent verify FILE [--public-key K]", "check an export against its signature", verifyCmd},
  };
  return kCommands;
}

}  // namespace tocsin::cli
