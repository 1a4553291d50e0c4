#include "tests/support/store_fixture.h"

#include <algorithm>
#include <stdexcept>

#include "common/consent/consent.h"
#include "common/setup/store_keys.h"

namespace tocsin::testing {
namespace {

template <typename T>
T must(Result<T> r, const char* what) {
  if (!r.ok()) throw std::runtime_error(std::string(what) + ": " + r.status().toString());
  return std::move(r).value();
}

void must(const Status& st, const char* what) {
  if (!st.ok()) throw std::runtime_error(std::string(what) + ": " + st.toString());
}

// The store's keys are made with it, as StoreEnvironment does.
AuditLog openAudit(Store& store, const KeyDirectory& keys, const std::string& dbPath, const Clock& clock) {
  must(bindStoreKeys(store, keys, clock), "bind the store's keys");
  return must(AuditLog::open(keys, dbPath, clock), "open audit log");
}

}  // namespace

StoreFixture::StoreFixture()
    : dbPath(dir.file("tocsin.db")),
      keys(dir.file("keys")),
      store(must(SqliteStore::open(dbPath), "open store")),
      audit(std::make_unique<AuditLog>(openAudit(*store, keys, dbPath, clock))),
      suppressor(must(Suppressor::open(keys), "open suppressor")) {}

std::unique_ptr<SqliteStore> StoreFixture::reopen() const { return must(SqliteStore::open(dbPath), "reopen store"); }

ContactId StoreFixture::addContact(const std::string& phone, ContactDetails details, const std::string& source) {
  const PhoneNumber number = must(phones.normalize(phone), "normalize");
  ContactId id = 0;
  write([&](StoreTx& tx, AuditRecorder& rec) {
    TOCSIN_ASSIGN_OR_RETURN(auto r, book.upsert(tx, rec, number, details, source, false));
    id = r.id;
    return Status::okStatus();
  });
  return id;
}

void StoreFixture::giveConsent(ContactId contact, const std::string& purpose, bool confirm) {
  write([&](StoreTx& tx, AuditRecorder& rec) {
    std::string textId = "text-" + purpose;
    std::replace(textId.begin(), textId.end(), ':', '-');
    TOCSIN_RETURN_IF_ERROR(
        consent::registerText(tx, rec, textId, purpose, "en", "I agree to receive " + purpose + " by SMS.").status());
    GrantRequest g{purpose, textId, std::nullopt, "en", "kiosk:K-01", "checkbox", {}, {}};
    TOCSIN_RETURN_IF_ERROR(consent::grant(tx, rec, contact, g).status());
    if (confirm)
      TOCSIN_RETURN_IF_ERROR(
          consent::confirm(tx, rec, contact, {purpose, "en", "sms:reply", "sms-reply", std::string("msg-1")}).status());
    return Status::okStatus();
  });
}

void StoreFixture::approveSender(const std::string& shop, const std::string& sender) {
  write([&](StoreTx& tx, AuditRecorder& rec) {
    if (!tx.shops().findShop(shop)) {
      Shop s;
      s.id = s.name = shop;
      s.country = "FR";
      s.state = ShopState::kActive;
      s.creditMode = CreditMode::kUnmetered;
      s.createdBy = "test:admin";
      s.createdAt = rec.now();
      tx.shops().saveShop(s);
    }
    tx.senders().approve(shop, sender, "test:admin", rec.now());
    return Status::okStatus();
  });
}

void StoreFixture::write(const AuditLog::Body& body) { must(audit->write(*store, "test:fixture", body), "write"); }

}  // namespace tocsin::testing
