// libFuzzer target: a contact import (CSV) into a real store, on arbitrary bytes. A bad file is
// refused whole with its problems listed; a crash or an exception is a defect, and so is a file
// with problems that still wrote something.
#include <stdlib.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "common/audit/audit_log.h"
#include "common/base/clock.h"
#include "common/contacts/contacts.h"
#include "common/contacts/import.h"
#include "common/crypto/key_files.h"
#include "common/phone/phone.h"
#include "common/privacy/suppression.h"
#include "common/store/sqlite_store.h"
#include "common/setup/store_keys.h"

namespace {

using namespace tocsin;

struct World {
  World() {
    char pattern[] = "/tmp/tocsin-csv-fuzz-XXXXXX";
    dir = ::mkdtemp(pattern);
    keys = std::make_unique<KeyDirectory>(dir + "/keys");
    store = SqliteStore::open(dir + "/tocsin.db").value();
    if (!bindStoreKeys(*store, *keys, clock).ok()) std::abort();
    audit = std::make_unique<AuditLog>(AuditLog::open(*keys, dir + "/tocsin.db", clock).value());
    suppressor = std::make_unique<Suppressor>(Suppressor::open(*keys).value());
    book = std::make_unique<ContactBook>(*suppressor);
  }
  ~World() {
    book.reset();
    audit.reset();
    store.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
  int64_t contacts() {
    int64_t n = 0;
    (void)store->read([&](StoreTx& tx) {
      n = tx.contacts().count();
      return Status::okStatus();
    });
    return n;
  }
  SystemClock clock;
  std::string dir;
  std::unique_ptr<KeyDirectory> keys;
  std::unique_ptr<SqliteStore> store;
  std::unique_ptr<AuditLog> audit;
  std::unique_ptr<Suppressor> suppressor;
  PhoneNormalizer phones{"FR"};
  std::unique_ptr<ContactBook> book;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static World world;
  const std::string_view csv(reinterpret_cast<const char*>(data), size);
  const int64_t before = world.contacts();
  ContactImporter importer(world.phones, *world.book);
  auto report = importer.run(*world.store, *world.audit, "fuzz", csv, {});
  if (!report.ok()) return 0;
  if (!report->problems.empty() && world.contacts() != before) {
    std::fprintf(stderr, "a refused file changed the store\n");
    std::abort();
  }
  return 0;
}
