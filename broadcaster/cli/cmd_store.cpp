// tocsinctl store info|compact|report|backup|restore, keys show|backup|restore|rotate.
#include <termios.h>
#include <unistd.h>

#include <iostream>
#include <ostream>

#include "broadcaster/cli/cli.h"
#include "broadcaster/engine/broadcaster_lock.h"
#include "common/crypto/signing.h"
#include "common/setup/store_backup.h"
#include "common/setup/store_copy.h"
#include "common/setup/store_keys.h"
#include "common/store/sqlite_store.h"

namespace tocsin::cli {
namespace {

Status storeInfo(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {});
  args.expectPositionals(0, 0, "store info");
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  const StoreInfo info = e->store->info();
  int64_t contacts = 0, events = 0, entries = 0, suppressed = 0;
  TOCSIN_RETURN_IF_ERROR(e->store->read([&](StoreTx& tx) {
    contacts = tx.contacts().count();
    events = tx.consent().countEvents();
    entries = tx.audit().count();
    suppressed = tx.suppressions().count();
    return Status::okStatus();
  }));
  ctx.out << "store:          " << info.location << "\n"
          << "schema version: " << info.schemaVersion << "\n"
          << "keys:           " << e->keys.path() << "\n"
          << "contacts:       " << contacts << "\n"
          << "consent events: " << events << "\n"
          << "audit entries:  " << entries << "\n"
          << "suppressed:     " << suppressed << "\n";
  return Status::okStatus();
}

Status storeCompact(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {});
  args.expectPositionals(0, 0, "store compact");
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  TOCSIN_RETURN_IF_ERROR(e->store->compact());
  ctx.out << "the write-ahead log is empty: deleted rows are gone from every file of the store\n";
  return Status::okStatus();
}

std::string period(const std::optional<Micros>& p) {
  if (!p) return "kept for good";
  const auto hours = std::chrono::duration_cast<std::chrono::hours>(*p).count();
  if (hours % 24 != 0) return hours == 1 ? "hour" : std::to_string(hours) + " hours";
  const auto days = hours / 24;
  if (days % 365 == 0) return std::to_string(days / 365) + (days == 365 ? " year" : " years");
  return std::to_string(days) + " days";
}

Status storeReport(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {});
  args.expectPositionals(0, 0, "store report");
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  ProcessingCounts n;
  TOCSIN_RETURN_IF_ERROR(e->store->read([&](StoreTx& tx) {
    n = tx.privacy().processingCounts();
    return Status::okStatus();
  }));
  const RetentionConfig& r = e->config.retention;
  std::ostream& o = ctx.out;
  o << "Records of processing (GDPR art. 30) for the store " << e->store->info().location << "\n\n"
    << "Purposes\n"
    << "  alerts                public warnings to residents who asked for them (lawful basis: consent; a\n"
    << "                        municipality may also rely on its public task)\n"
    << "  promotions:<shop>     a shop's offers by SMS, to people who gave that shop explicit, confirmed consent\n"
    << "  transactional         sign-up codes and answers to STOP/HELP: needed to give and withdraw consent\n"
    << "  suppression           honouring objections and erasures (keyed fingerprints only)\n"
    << "  audit                 proving who did what and what each person agreed to\n\n"
    << "Categories of data\n"
    << "  phone numbers (E.164), optional name, language, time zone, zone and position of contacts;\n"
    << "  consent events (purpose, text shown, time, channel, method, evidence); messages sent (recipient,\n"
    << "  personalised text, state); messages received (sender, text); pending sign-ups (number, what was\n"
    << "  shown); keyed fingerprints of suppressed numbers; the audit log (never a number or a name)\n\n"
    << "Retention in force (enforced by the retention sweep, every " << period(r.sweepInterval) << ")\n"
    << "  message texts and recipients        " << period(r.messageBodies) << " after the message ended\n"
    << "  delivery reports                    " << period(r.deliveryReports) << "\n"
    << "  unconfirmed sign-ups                " << period(r.unconfirmedSignups) << "\n"
    << "  contacts without any valid consent  " << period(r.contactsWithoutConsent) << " after their last activity\n"
    << "  audit entries                       " << period(r.auditEntries) << "\n"
    << "  suppression fingerprints            " << period(r.suppressions) << "\n"
    << "  webhook posts                       7 days after they ended\n\n"
    << "Recipients of numbers (the configured bearers)\n";
  if (e->bearers.empty()) o << "  none configured\n";
  for (const auto& b : e->bearers)
    o << "  " << b.name << " (" << (b.type == "smpp" ? "SMPP link to a carrier's SMSC" : "GSM modem bank") << ")\n";
  if (!e->webhookHosts.empty()) {
    o << "  webhook hosts:";
    for (const auto& h : e->webhookHosts) o << " " << h;
    o << "\n";
  }
  o << "\nCounts now\n"
    << "  contacts                 " << n.contacts << " (" << n.contactsWithName << " with a name)\n";
  for (const auto& [purpose, state, count] : n.standings)
    o << "  consent " << purpose << " " << (state == "granted" ? "pending" : state) << ": " << count << "\n";
  o << "  consent events           " << n.consentEvents << "\n"
    << "  consent texts            " << n.consentTexts << "\n"
    << "  suppressed numbers       " << n.suppressions << "\n"
    << "  messages with recipient  " << n.messagesWithRecipient << "\n"
    << "  messages received        " << n.incomingWithSender << "\n"
    << "  pending sign-ups         " << n.pendingSignups << "\n"
    << "  webhook posts kept       " << n.webhookDeliveries << "\n"
    << "  audit entries            " << n.auditEntries << "\n";
  return Status::okStatus();
}

// The passphrase of a backup's keys: the first line of --passphrase-file (standard input for
// "-"), else asked on the terminal without echo (twice when it is a new one).
Result<std::string> passphrase(CliContext& ctx, const Args& args, bool confirm) {
  std::string line;
  if (auto file = args.get("passphrase-file")) {
    if (*file == "-") {
      if (!std::getline(std::cin, line)) return Status::invalid("--passphrase-file -: no passphrase on standard input");
    } else {
      TOCSIN_ASSIGN_OR_RETURN(std::string content, readWholeFile(*file));
      line = content.substr(0, content.find('\n'));
    }
    return line;
  }
  if (!::isatty(STDIN_FILENO))
    return Status::invalid("give the passphrase with --passphrase-file FILE (or - for standard input)");
  termios saved{};
  ::tcgetattr(STDIN_FILENO, &saved);
  termios quiet = saved;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  auto ask = [&](const char* prompt) {
    ctx.err << prompt << std::flush;
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    std::string answer;
    std::getline(std::cin, answer);
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    ctx.err << "\n";
    return answer;
  };
  line = ask("passphrase for the keys file: ");
  if (confirm && ask("the same again: ") != line) return Status::invalid("the two passphrases differ; nothing was written");
  return line;
}

Status storeBackup(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {{"out"}, {"keys-out"}, {"passphrase-file"}});
  args.expectPositionals(0, 0, "store backup --out FILE [--keys-out FILE] [--passphrase-file FILE|-]");
  const std::string out = args.require("out");
  const std::string keysOut = args.getOr("keys-out", out + ".keys");
  TOCSIN_ASSIGN_OR_RETURN(std::string secret, passphrase(ctx, args, true));
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  TOCSIN_ASSIGN_OR_RETURN(BackupResult r, backupStore(*e, ctx.actor(), out, keysOut, secret));
  ctx.out << "store copied to " << r.storeFile << " (sha256 " << r.sha256 << ")\n"
          << "  " << describeCounts(r.counts) << "\n"
          << "keys sealed with the passphrase in " << r.keysFile << "\n"
          << "Keep both files, and the passphrase, apart: the copy holds personal data; the keys file and its\n"
          << "passphrase let whoever holds them read fingerprints and sign in the store's name.\n";
  return Status::okStatus();
}

Status storeRestore(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {{"keys"}, {"passphrase-file"}});
  args.expectPositionals(1, 1, "store restore FILE --keys FILE [--passphrase-file FILE|-]");
  const std::string file = args.positionals()[0];
  const std::string keysFile = args.require("keys");
  TOCSIN_ASSIGN_OR_RETURN(Config c, ctx.config());
  TOCSIN_RETURN_IF_ERROR(checkStoreOwner(c));
  if (engine::broadcasterPresence(c.store.path) == engine::BroadcasterPresence::kRunning)
    return Status::failedPrecondition("the broadcaster is running on " + c.store.path +
                                      ": stop it first (systemctl stop tocsin-broadcaster); nothing was restored");
  TOCSIN_ASSIGN_OR_RETURN(std::string secret, passphrase(ctx, args, false));
  // The store in place is not opened (it may not exist, or be the broken one): the login acts.
  TOCSIN_ASSIGN_OR_RETURN(RestoreResult r,
                          restoreStore(c, ctx.clock, file, keysFile, secret, "cli:" + CliContext::osUser()));
  ctx.out << "restored " << file << " to " << c.store.path << "\n"
          << "  " << describeCounts(r.counts) << "\n"
          << "  audit chain verified: " << r.verifiedEntries << " entries, " << r.provenRows << " consent rows\n";
  if (r.schemaVersion != r.counts.schemaVersion)
    ctx.out << "  migrated from schema version " << r.counts.schemaVersion << " to " << r.schemaVersion << "\n";
  if (!r.replacedStore.empty()) ctx.out << "the store that was in place is kept as " << r.replacedStore << "\n";
  if (!r.replacedKeys.empty()) ctx.out << "its keys are kept as " << r.replacedKeys << "\n";
  return Status::okStatus();
}

Status storeCopy(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {{"to"}});
  args.expectPositionals(0, 0, "store copy --to postgresql:CONNECTION-STRING");
  std::string to = args.require("to");
  constexpr std::string_view kScheme = "postgresql:";
  if (to.rfind(kScheme, 0) != 0 || to.size() == kScheme.size())
    return Status::invalid("--to names the target as postgresql:CONNECTION-STRING (\"postgresql:host=db1 dbname=tocsin\")");
  to = to.substr(kScheme.size());
  TOCSIN_ASSIGN_OR_RETURN(Config c, ctx.config());
  TOCSIN_RETURN_IF_ERROR(checkStoreOwner(c));
  if (engine::broadcasterPresence(c.store.path) == engine::BroadcasterPresence::kRunning)
    return Status::failedPrecondition("the broadcaster is running on " + c.store.path +
                                      ": stop it first (systemctl stop tocsin-broadcaster); nothing was copied");
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  TOCSIN_ASSIGN_OR_RETURN(CopyResult r, copyStoreToPostgres(*e, to, ctx.actor(), ctx.clock));
  ctx.out << "copied " << c.store.path << " to " << r.location << " (" << r.rows << " rows)\n"
          << "  " << describeCounts(r.target) << "\n"
          << "  audit chain verified there: " << r.verifiedEntries << " entries, " << r.provenRows << " consent rows\n"
          << "To run on it, add \"postgresql\" to the \"store\" section of the configuration (keep \"path\": the keys\n"
          << "stay beside it), then start the broadcaster. The SQLite store is left as it was.\n";
  return Status::okStatus();
}

Status keysShow(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {});
  args.expectPositionals(0, 0, "keys show");
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  TOCSIN_ASSIGN_OR_RETURN(auto pair, e->keys.signingKey(kExportSigningKeyName));
  TOCSIN_ASSIGN_OR_RETURN(auto trusted, trustedSigningKeys(*e->store));
  ctx.out << "consent export signing key (Ed25519)\n"
          << "  public key:  " << toBase64(pair->publicKey()) << "\n"
          << "  fingerprint: " << keyFingerprint(pair->publicKey()) << "\n"
          << "  file:        " << e->keys.file("export-signing.pem") << "\n";
  for (const auto& k : trusted)
    if (k.until)
      ctx.out << "rotated out " << formatUtc(*k.until) << ", still trusted for exports signed before then\n"
              << "  public key:  " << toBase64(k.publicKey) << "\n"
              << "  fingerprint: " << k.fingerprint << "\n";
  ctx.out << "Give the public keys to auditors: tocsinctl consent verify FILE --public-key <public key>\n";
  return Status::okStatus();
}

Status keysBackup(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {{"out"}});
  args.expectPositionals(0, 0, "keys backup --out DIR");
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  const std::string dir = args.require("out");
  TOCSIN_ASSIGN_OR_RETURN(auto files, backupKeys(*e->store, *e->audit, e->keys, ctx.actor(), dir));
  ctx.out << "copied " << files.size() << " keys to " << dir << " (";
  for (size_t i = 0; i < files.size(); ++i) ctx.out << (i ? ", " : "") << files[i];
  ctx.out << ")\nKeep this directory offline: whoever holds it can forge audit entries and sign exports.\n";
  return Status::okStatus();
}

Status keysRestore(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {});
  args.expectPositionals(1, 1, "keys restore DIR");
  const std::string dir = args.positionals()[0];
  TOCSIN_ASSIGN_OR_RETURN(Config c, ctx.config());
  TOCSIN_RETURN_IF_ERROR(checkStoreOwner(c));
  std::vector<std::string> restored;
  {
    // The store is opened alone: its environment refuses to open while a key is missing.
    SqliteOptions options;
    options.create = false;
    SystemClock clock;
    TOCSIN_ASSIGN_OR_RETURN(auto store, openStore(c, clock, options));
    TOCSIN_ASSIGN_OR_RETURN(restored, restoreKeys(*store, KeyDirectory(c.keysDir()), dir));
  }
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  TOCSIN_RETURN_IF_ERROR(recordKeyRestore(*e->store, *e->audit, ctx.actor(), dir, restored));
  if (restored.empty()) {
    ctx.out << "every key of the store was already in place; nothing changed\n";
  } else {
    ctx.out << "restored";
    for (const auto& f : restored) ctx.out << " " << f;
    ctx.out << " into " << e->keys.path() << "\n";
  }
  return Status::okStatus();
}

Status keysRotate(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {});
  args.expectPositionals(1, 1, "keys rotate export-signing");
  if (args.positionals()[0] != kExportSigningKeyName)
    throw UsageError("only the export signing key rotates: the audit and suppression keys are bound to what the "
                     "store holds");
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  TOCSIN_ASSIGN_OR_RETURN(std::string fp, rotateExportSigningKey(*e->store, *e->audit, e->keys, ctx.actor()));
  ctx.out << "the export signing key is now " << fp
          << "; exports signed before now still verify against the old public key\n";
  return Status::okStatus();
}

}  // namespace

const std::vector<Command>& storeCommands() {
  static const std::vector<Command> kCommands = {
      {"store info", "store info", "where the store is, its schema version and sizes", storeInfo},
      {"store compact", "store compact", "empty the write-ahead log (finishes an erasure)", storeCompact},
      {"store report", "store report", "records of processing: purposes, data, retention, recipients, counts",
       storeReport},
      {"store backup", "store backup --out FILE [--keys-out FILE] [--passphrase-file FILE|-]",
       "copy the running store, and seal its keys with a passphrase (audited)", storeBackup},
      {"store copy", "store copy --to postgresql:CONNECTION-STRING",
       "copy the store into an empty PostgreSQL database, its audit chain verified there (audited)", storeCopy},
      {"store restore", "store restore FILE --keys FILE [--passphrase-file FILE|-]",
       "verify a backup's audit chain, then put it in place; the broadcaster stopped (audited)", storeRestore},
      {"keys show", "keys show", "print the public keys that sign consent exports", keysShow},
      {"keys backup", "keys backup --out DIR", "copy the store's keys to a new directory (audited)", keysBackup},
      {"keys restore", "keys restore DIR", "put the store's own keys back from a backup (audited)", keysRestore},
      {"keys rotate", "keys rotate export-signing", "replace the export signing key, keeping the old one trusted",
       keysRotate},
  };
  return kCommands;
}

}  // namespace tocsin::cli
