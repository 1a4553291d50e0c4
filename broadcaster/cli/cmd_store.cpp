// tocsinctl store info, keys show.
#include <ostream>

#include "broadcaster/cli/cli.h"
#include "common/crypto/signing.h"

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

Status keysShow(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {});
  args.expectPositionals(0, 0, "keys show");
  TOCSIN_ASSIGN_OR_RETURN(Config c, ctx.config());
  KeyDirectory keys(c.keysDir());
  TOCSIN_ASSIGN_OR_RETURN(auto pair, keys.signingKey("export-signing"));
  ctx.out << "consent export signing key (Ed25519)\n"
          << "  public key:  " << toBase64(pair->publicKey()) << "\n"
          << "  fingerprint: " << keyFingerprint(pair->publicKey()) << "\n"
          << "  file:        " << keys.file("export-signing.pem") << "\n"
          << "Give the public key to auditors: tocsinctl consent verify FILE --public-key <public key>\n";
  return Status::okStatus();
}

}  // namespace

const std::vector<Command>& storeCommands() {
  static const std::vector<Command> kCommands = {
      {"store info", "store info", "where the store is, its schema version and sizes", storeInfo},
      {"keys show", "keys show", "print the public key that signs consent exports", keysShow},
  };
  return kCommands;
}

}  // namespace tocsin::cli
