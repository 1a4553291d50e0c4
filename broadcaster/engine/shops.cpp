#include "broadcaster/engine/shops.h"

#include <algorithm>

#include "broadcaster/engine/job_texts.h"
#include "broadcaster/engine/senders.h"
#include "common/base/json_text.h"
#include "common/base/text.h"
#include "common/base/time.h"
#include "common/config/json_reader.h"
#include "common/consent/codes.h"
#include "common/crypto/hash.h"
#include "common/jobs/transactional.h"
#include "policies/promotion.h"

namespace tocsin::engine {
namespace {

std::string activationHash(const std::string& shop, const std::string& code) {
  return toHex(sha256("tocsin-shop-activation:" + shop + ":" + code));
}

bool isFinishedState(JobState s) { return s == JobState::kDone || s == JobState::kCancelled; }

// The owner's language from the shop's country: the SMS it gets from the appliance.
std::string ownerLanguage(const std::string& country) {
  static const std::map<std::string, std::string> kByCountry = {
      {"FR", "fr"}, {"BE", "fr"}, {"CH", "fr"}, {"DE", "de"}, {"IT", "it"}, {"PL", "pl"}, {"ES", "es"}};
  auto it = kByCountry.find(country);
  return it == kByCountry.end() ? "en" : it->second;
}

std::string codeText(const std::string& language, const std::string& shopName, const std::string& code) {
  if (language == "fr") return "Tocsin : code d'activation de " + shopName + " : " + code + ". Valable 24 h.";
  if (language == "de") return "Tocsin: Aktivierungscode fuer " + shopName + ": " + code + ". 24 Std. gueltig.";
  if (language == "it") return "Tocsin: codice di attivazione per " + shopName + ": " + code + ". Valido 24 ore.";
  if (language == "pl") return "Tocsin: kod aktywacji dla " + shopName + ": " + code + ". Wazny 24 h.";
  if (language == "es") return "Tocsin: codigo de activacion de " + shopName + ": " + code + ". Valido 24 h.";
  return "Tocsin: activation code for " + shopName + ": " + code + ". Valid for 24 hours.";
}

std::string lowBalanceText(const std::string& language, const Shop& shop) {
  const std::string n = std::to_string(shop.balance);
  if (language == "fr") return "Tocsin : il reste " + n + " SMS a " + shop.name + ". Pensez a recharger.";
  if (language == "de") return "Tocsin: " + shop.name + " hat noch " + n + " SMS-Teile. Bitte aufladen.";
  if (language == "it") return "Tocsin: a " + shop.name + " restano " + n + " parti SMS. Ricaricare.";
  if (language == "pl") return "Tocsin: " + shop.name + " ma jeszcze " + n + " czesci SMS. Doladuj konto.";
  if (language == "es") return "Tocsin: a " + shop.name + " le quedan " + n + " partes SMS. Recargue.";
  return "Tocsin: " + shop.name + " has " + n + " SMS parts left. Please top up.";
}

std::string monthOf(Timestamp t) { return formatUtc(t).substr(0, 7); }

void addEntry(StoreTx& tx, const Shop& shop, std::optional<JobId> job, const std::string& kind, int64_t parts,
              const std::string& actor, Timestamp at) {
  CreditEntry e;
  e.shop = shop.id;
  e.job = job;
  e.kind = kind;
  e.parts = parts;
  e.balanceAfter = shop.balance;
  e.actor = actor;
  e.at = at;
  tx.shops().addCredit(e);
}

Result<Shop> findShop(StoreTx& tx, const std::string& id) {
  auto s = tx.shops().findShop(id);
  if (!s) return Status::notFound("no shop '" + id + "'");
  return *s;
}

}  // namespace

Result<ShopSettings> parseShopSettings(const Poco::JSON::Object::Ptr& document) {
  ShopSettings s;
  if (!document || !document->has("shops")) return s;
  JsonReader root(document, "");
  TOCSIN_ASSIGN_OR_RETURN(auto r, root.object("shops"));
  if (!r) return s;
  int64_t length = s.linkCodeLength;
  TOCSIN_RETURN_IF_ERROR(r->getString("public_url", s.publicUrl));
  TOCSIN_RETURN_IF_ERROR(r->getInt("link_code_length", length, 7, 16));
  TOCSIN_RETURN_IF_ERROR(r->getDuration("activation_validity", s.activationValidity));
  TOCSIN_RETURN_IF_ERROR(r->checkNoUnknownKeys());
  s.linkCodeLength = static_cast<int>(length);
  while (!s.publicUrl.empty() && s.publicUrl.back() == '/') s.publicUrl.pop_back();
  if (!s.publicUrl.empty() && (s.publicUrl.rfind("https://", 0) != 0 || s.publicUrl.size() < 12 ||
                               s.publicUrl.find_first_of(" \t\r\n?#") != std::string::npos))
    return Status::invalid("configuration key 'shops.public_url' is the appliance's public https:// address, "
                           "without a query: not '" + s.publicUrl + "'");
  if (s.activationValidity < std::chrono::minutes(5) || s.activationValidity > std::chrono::hours(24 * 14))
    return Status::invalid("configuration key 'shops.activation_validity' is between 5m and 14d");
  return s;
}

Status validateShopId(const std::string& id) {
  if (id.size() < 2 || id.size() > 32 || id[0] == '-')
    return Status::invalid("a shop id is 2 to 32 characters of a-z, 0-9 and '-', not starting with '-'");
  for (char c : id)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
      return Status::invalid("a shop id is 2 to 32 characters of a-z, 0-9 and '-'; '" + id + "' is not");
  return Status::okStatus();
}

Result<Shop> activeShop(StoreTx& tx, const std::string& id, const std::string& doing) {
  auto s = tx.shops().findShop(id);
  if (!s) return Status::notFound("no shop '" + id + "': an admin registers a shop before it can " + doing);
  switch (s->state) {
    case ShopState::kActive: return *s;
    case ShopState::kPending:
      return Status::failedPrecondition("shop '" + id + "' is not activated yet: its owner types the code sent by SMS");
    case ShopState::kSuspended:
      return Status::failedPrecondition("shop '" + id + "' is suspended: it cannot " + doing + " until an admin resumes it");
    case ShopState::kClosed: return Status::failedPrecondition("shop '" + id + "' is closed");
  }
  return Status::internal("shop state");
}

Result<std::vector<int64_t>> listIds(StoreTx& tx, const std::string& shop, const std::vector<std::string>& names) {
  std::vector<int64_t> ids;
  for (const auto& name : names) {
    auto list = tx.shops().findList(shop, name);
    if (!list) return Status::notFound("no list '" + name + "' in shop " + shop);
    if (std::find(ids.begin(), ids.end(), list->id) == ids.end()) ids.push_back(list->id);
  }
  return ids;
}

std::vector<std::string> findUrls(const std::string& text) {
  std::vector<std::string> out;
  replaceUrls(text, [&](const std::string& url) {
    out.push_back(url);
    return url;
  });
  return out;
}

std::string replaceUrls(const std::string& text, const std::function<std::string(const std::string&)>& shorten) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    const size_t http = text.find("http://", i), https = text.find("https://", i);
    const size_t at = std::min(http, https);
    if (at == std::string::npos) break;
    size_t end = text.find_first_of(" \t\r\n", at);
    if (end == std::string::npos) end = text.size();
    // A sentence's full stop or comma after a link is not part of it.
    while (end > at && std::string_view(".,;:!?)").find(text[end - 1]) != std::string_view::npos) --end;
    out.append(text, i, at - i);
    const std::string url = text.substr(at, end - at);
    const size_t scheme = url.find("://") + 3;
    out += url.size() > scheme ? shorten(url) : url;
    i = end;
  }
  out.append(text, i, std::string::npos);
  return out;
}

Result<std::string> newLinkCode(int length) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string code;
  while (static_cast<int>(code.size()) < length) {
    TOCSIN_ASSIGN_OR_RETURN(const Bytes bytes, randomBytes(static_cast<size_t>(length) * 2));
    for (uint8_t b : bytes) {
      if (b >= 248) continue;  // 248 = 62 * 4: no bias
      code += kAlphabet[b % 62];
      if (static_cast<int>(code.size()) == length) break;
    }
  }
  return code;
}

policy::StopRoute stopRouteFor(const Shop& shop, const std::optional<std::string>& sender,
                               const std::vector<BearerEntry>& bearers, const std::vector<std::string>& chosenBearers,
                               const std::string& country) {
  policy::StopRoute route;
  route.senderTakesReplies = policy::senderTakesReplies(sender);
  route.number = replyNumberFor(bearers, chosenBearers, country);
  // A numeric sender takes the replies itself: the footer names it.
  if (!route.number && route.senderTakesReplies && sender && !sender->empty()) route.number = *sender;
  route.shop = shop.name.empty() ? shop.id : shop.name;
  return route;
}

std::string campaignMessage(const std::string& text, const std::optional<std::string>& name, const std::string& footer,
                            const std::function<std::string(const std::string&)>& shorten) {
  std::string body = personalise(text, name);
  if (shorten) body = replaceUrls(body, shorten);
  return policy::withStopFooter(body, footer);
}

void renewQuota(StoreTx& tx, Shop& shop, Timestamp now) {
  if (shop.creditMode != CreditMode::kQuota || !shop.monthlyQuota) return;
  const std::string month = monthOf(now);
  if (shop.quotaMonth == month) return;
  // What running jobs still hold stays reserved against the new month.
  int64_t held = 0;
  for (const JobCredit& c : tx.shops().openJobCredits())
    if (c.shop == shop.id) held += c.reserved;
  const int64_t before = shop.balance;
  shop.balance = *shop.monthlyQuota - held;
  shop.quotaMonth = month;
  shop.lowAlerted = false;
  addEntry(tx, shop, std::nullopt, "quota", shop.balance - before, "quota " + month, now);
  tx.shops().saveShop(shop);
}

void noteBalance(StoreTx& tx, AuditRecorder& audit, Shop& shop) {
  if (shop.creditMode == CreditMode::kUnmetered || shop.lowBalance <= 0) return;
  if (shop.balance >= shop.lowBalance) {
    if (shop.lowAlerted) {
      shop.lowAlerted = false;
      tx.shops().saveShop(shop);
    }
    return;
  }
  if (shop.lowAlerted) return;
  shop.lowAlerted = true;
  tx.shops().saveShop(shop);
  const std::string payload = "{\"event\":\"low_balance\",\"shop\":" + jsonString(shop.id) +
                              ",\"balance\":" + std::to_string(shop.balance) + ",\"threshold\":" +
                              std::to_string(shop.lowBalance) + ",\"at\":" + jsonString(formatUtc(audit.now())) + "}";
  tx.webhooks().enqueue("low_balance", payload, audit.now(), shop.id);
  if (shop.ownerPhone) {
    TransactionalMessage m;
    m.title = "low balance of shop " + shop.id;
    m.to = *shop.ownerPhone;
    m.language = ownerLanguage(shop.country);
    m.text = lowBalanceText(m.language, shop);
    (void)queueTransactional(tx, audit, m);
  }
  audit.record("shop.low_balance", "shop:" + shop.id,
               std::to_string(shop.balance) + " parts left, under the threshold of " + std::to_string(shop.lowBalance));
}

Status reserveCredits(StoreTx& tx, AuditRecorder& audit, Shop& shop, JobId job, int64_t parts, const std::string& actor) {
  JobCredit c;
  c.job = job;
  c.shop = shop.id;
  if (shop.creditMode == CreditMode::kUnmetered) {
    tx.shops().saveJobCredit(c);
    return Status::okStatus();
  }
  renewQuota(tx, shop, audit.now());
  if (parts > shop.balance)
    return Status::noCredits("shop '" + shop.id + "' has " + std::to_string(shop.balance) + " SMS parts; this needs " +
                             std::to_string(parts) + ": " + std::to_string(parts - shop.balance) + " short");
  shop.balance -= parts;
  c.reserved = parts;
  tx.shops().saveJobCredit(c);
  tx.shops().saveShop(shop);
  addEntry(tx, shop, job, "reserve", -parts, actor, audit.now());
  noteBalance(tx, audit, shop);
  return Status::okStatus();
}

int64_t chargeableParts(const std::map<std::string, int64_t>& partsByState) {
  int64_t n = 0;
  for (const char* s : {"submitted", "sent", "delivered"})
    if (auto it = partsByState.find(s); it != partsByState.end()) n += it->second;
  return n;
}

bool settleCredits(StoreTx& tx, AuditRecorder& audit, JobId job, bool finished) {
  auto credit = tx.shops().findJobCredit(job);
  if (!credit || credit->final) return false;
  auto shop = tx.shops().findShop(credit->shop);
  if (!shop) return false;
  const Timestamp now = audit.now();
  const bool metered = shop->creditMode != CreditMode::kUnmetered;
  const int64_t due = chargeableParts(tx.shops().partsByState(job));
  bool changed = false;
  if (due != credit->charged) {
    // Charged from the reservation first; beyond it (a longer personalised text), from the balance.
    const int64_t delta = due - credit->charged;
    const int64_t fromReserve = std::clamp<int64_t>(delta, -credit->charged, credit->reserved);
    credit->reserved -= fromReserve;
    credit->charged = due;
    if (metered && delta != fromReserve) {
      shop->balance -= delta - fromReserve;
      addEntry(tx, *shop, job, "charge", -(delta - fromReserve), "settlement", now);
    }
    changed = true;
  }
  if (finished) {
    if (credit->reserved > 0) {
      const int64_t refund = credit->reserved;
      credit->refunded += refund;
      credit->reserved = 0;
      if (metered) {
        shop->balance += refund;
        addEntry(tx, *shop, job, "refund", refund, "settlement", now);
        audit.record("credits.refund", "job:" + std::to_string(job),
                     std::to_string(credit->charged) + " parts charged, " + std::to_string(refund) + " refunded to shop " +
                         shop->id);
      }
    }
    credit->final = true;
    changed = true;
  }
  if (!changed) return false;
  credit->settledAt = now;
  tx.shops().saveJobCredit(*credit);
  if (metered) {
    tx.shops().saveShop(*shop);
    noteBalance(tx, audit, *shop);
  }
  return true;
}

Status ShopService::queueCode(StoreTx& tx, AuditRecorder& rec, Shop& shop) const {
  TOCSIN_ASSIGN_OR_RETURN(const std::string code, newConfirmationCode());
  shop.activationHash = activationHash(shop.id, code);
  shop.activationExpires = rec.now() + settings_.activationValidity;
  shop.activationAttempts = 0;
  tx.shops().saveShop(shop);
  TransactionalMessage m;
  m.title = "activation code of shop " + shop.id;
  m.to = *shop.ownerPhone;
  m.language = ownerLanguage(shop.country);
  m.text = codeText(m.language, shop.name, code);
  TOCSIN_ASSIGN_OR_RETURN(const JobId job, queueTransactional(tx, rec, m));
  (void)job;
  return Status::okStatus();
}

Result<Shop> ShopService::create(Store& store, const ShopRequest& r, const std::string& actor) const {
  TOCSIN_RETURN_IF_ERROR(validateShopId(r.id).withContext("id"));
  TOCSIN_RETURN_IF_ERROR(validatePurpose("promotions:" + r.id).withContext("id"));
  if (r.name.empty() || !isCleanLine(r.name, 60))
    return Status::invalid("a shop's name is 1 to 60 characters on one line, without control characters");
  if (r.country.size() != 2 || !PhoneNormalizer::isKnownRegion(r.country))
    return Status::invalid("'" + r.country + "' is not a country code (ISO 3166 alpha-2, e.g. FR)");
  auto owner = phones_.normalize(r.ownerPhone);
  if (!owner.ok()) return owner.status().withContext("owner's mobile");
  TOCSIN_RETURN_IF_ERROR(checkSmsCapable(*owner).withContext("owner's mobile"));
  if (r.credits < 0 || r.credits > 100'000'000) return Status::invalid("credits are 0 to 100,000,000 SMS parts");
  if (r.lowBalance < 0 || r.lowBalance > 100'000'000) return Status::invalid("the low-balance threshold is 0 to 100,000,000 parts");
  if (r.creditMode == CreditMode::kQuota && r.credits <= 0) return Status::invalid("a monthly quota of at least 1 part");
  if (r.senders.size() > 10) return Status::invalid("at most 10 sender IDs are asked for at once");
  const auto reserved = reservedSenders(bearers_, policies_);
  for (const auto& s : r.senders) {
    const auto d = policy::senderAllowed(policies_.senders, r.country, s);
    if (d.refused()) return Status::invalid("sender '" + s + "': " + d.reason);
    const auto own = policy::shopSenderAllowed(reserved, s);
    if (own.refused()) return Status::invalid("sender '" + s + "': " + own.reason);
  }
  Shop shop;
  shop.id = r.id;
  shop.name = r.name;
  shop.country = r.country;
  shop.ownerPhone = owner->e164;
  shop.requestedSenders = r.senders;
  shop.moderation = r.moderation;
  shop.tracking = r.tracking;
  shop.creditMode = r.creditMode;
  shop.lowBalance = r.lowBalance;
  shop.createdBy = actor;
  TOCSIN_RETURN_IF_ERROR(audit_.write(store, actor, [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    if (tx.shops().findShop(r.id)) return Status::alreadyExists("shop '" + r.id + "' exists already");
    shop.createdAt = rec.now();
    if (r.creditMode == CreditMode::kQuota) {
      shop.monthlyQuota = r.credits;
      shop.balance = r.credits;
      shop.quotaMonth = monthOf(rec.now());
    } else if (r.creditMode == CreditMode::kBalance) {
      shop.balance = r.credits;
    }
    tx.shops().saveShop(shop);
    if (shop.balance) addEntry(tx, shop, std::nullopt, r.creditMode == CreditMode::kQuota ? "quota" : "top_up", shop.balance, actor, rec.now());
    if (r.activeNow) {
      shop.state = ShopState::kActive;
      shop.activatedAt = rec.now();
      tx.shops().saveShop(shop);
      rec.record("shop.create", "shop:" + shop.id,
                 shop.name + " (" + shop.country + "), " + creditModeName(shop.creditMode) + " " + std::to_string(r.credits) +
                     " parts; active at once, registered on the appliance by " + actor + " without the owner's code");
      return Status::okStatus();
    }
    rec.record("shop.create", "shop:" + shop.id,
               shop.name + " (" + shop.country + "), " + creditModeName(shop.creditMode) + " " + std::to_string(r.credits) +
                   " parts; activation code sent to the owner's mobile");
    return queueCode(tx, rec, shop);
  }));
  return shop;
}

Status ShopService::resendCode(Store& store, const std::string& id, const std::string& actor) const {
  return audit_.write(store, actor, [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    TOCSIN_ASSIGN_OR_RETURN(Shop shop, findShop(tx, id));
    if (shop.state != ShopState::kPending) return Status::failedPrecondition("shop '" + id + "' is already activated");
    rec.record("shop.code", "shop:" + id, "a new activation code sent to the owner's mobile");
    return queueCode(tx, rec, shop);
  });
}

Result<Shop> ShopService::activate(Store& store, const std::string& id, const std::string& code) const {
  Shop out;
  Status refusal;
  TOCSIN_RETURN_IF_ERROR(audit_.write(store, "shop-owner:" + id, [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    // The same answer for an unknown shop, a used code, a wrong one: nothing to learn by trying.
    const Status wrong = Status::permissionDenied("this code does not activate this shop");
    auto shop = tx.shops().findShop(id);
    if (!shop || shop->state != ShopState::kPending || !shop->activationHash || !shop->activationExpires) {
      refusal = wrong;
      return Status::okStatus();
    }
    if (rec.now() > *shop->activationExpires || shop->activationAttempts >= kCodeMaxAttempts) {
      refusal = Status::permissionDenied("this activation code has expired or was tried too often: ask for a new one");
      return Status::okStatus();
    }
    auto want = digestFromHex(*shop->activationHash);
    const Digest got = sha256("tocsin-shop-activation:" + id + ":" + code);
    if (!want.ok() || !constantTimeEqual(*want, got)) {
      ++shop->activationAttempts;
      tx.shops().saveShop(*shop);
      rec.record("shop.activation_failed", "shop:" + id, "wrong code, attempt " + std::to_string(shop->activationAttempts));
      refusal = wrong;
      return Status::okStatus();
    }
    shop->state = ShopState::kActive;
    shop->activationHash.reset();
    shop->activationExpires.reset();
    shop->activatedAt = rec.now();
    tx.shops().saveShop(*shop);
    rec.record("shop.activate", "shop:" + id, "activated by its owner with the code sent to " + *shop->ownerPhone);
    out = *shop;
    return Status::okStatus();
  }));
  if (!refusal.ok()) return refusal;
  return out;
}

Status ShopService::activateDirectly(Store& store, const std::string& id, const std::string& actor) const {
  return audit_.write(store, actor, [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    TOCSIN_ASSIGN_OR_RETURN(Shop shop, findShop(tx, id));
    if (shop.state != ShopState::kPending) return Status::failedPrecondition("shop '" + id + "' is not waiting for activation");
    shop.state = ShopState::kActive;
    shop.activationHash.reset();
    shop.activationExpires.reset();
    shop.activatedAt = rec.now();
    tx.shops().saveShop(shop);
    rec.record("shop.activate", "shop:" + id, "activated on the appliance by " + actor + ", without the owner's code");
    return Status::okStatus();
  });
}

Status ShopService::suspend(Store& store, const std::string& id, const std::string& actor, const std::string& reason) const {
  if (reason.empty() || !isCleanLine(reason, 500)) return Status::invalid("give the reason: at most 500 characters on one line");
  return audit_.write(store, actor, [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    TOCSIN_ASSIGN_OR_RETURN(Shop shop, findShop(tx, id));
    if (shop.state != ShopState::kActive) return Status::failedPrecondition("shop '" + id + "' is " + shopStateName(shop.state));
    shop.state = ShopState::kSuspended;
    tx.shops().saveShop(shop);
    int paused = 0;
    for (const Job& j : tx.jobs().inStates({JobState::kApproved, JobState::kExpanding, JobState::kSending, JobState::kDraft}))
      if (j.kind == JobKind::kCampaign && j.purpose == "promotions:" + id && j.state != JobState::kDraft) {
        tx.jobs().setState(j.id, JobState::kPaused, rec.now());
        ++paused;
      }
    rec.record("shop.suspend", "shop:" + id, reason + "; " + std::to_string(paused) + " campaigns paused");
    return Status::okStatus();
  });
}

Status ShopService::resume(Store& store, const std::string& id, const std::string& actor) const {
  return audit_.write(store, actor, [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    TOCSIN_ASSIGN_OR_RETURN(Shop shop, findShop(tx, id));
    if (shop.state != ShopState::kSuspended) return Status::failedPrecondition("shop '" + id + "' is not suspended");
    shop.state = ShopState::kActive;
    tx.shops().saveShop(shop);
    rec.record("shop.resume", "shop:" + id, "active again; its paused campaigns stay paused until the shop resumes them");
    return Status::okStatus();
  });
}

Status ShopService::close(Store& store, const std::string& id, const std::string& actor, const std::string& reason) const {
  if (reason.empty() || !isCleanLine(reason, 500)) return Status::invalid("give the reason: at most 500 characters on one line");
  return audit_.write(store, actor, [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    TOCSIN_ASSIGN_OR_RETURN(Shop shop, findShop(tx, id));
    if (shop.state == ShopState::kClosed) return Status::failedPrecondition("shop '" + id + "' is already closed");
    const Timestamp now = rec.now();
    int cancelled = 0;
    for (const Job& j : tx.jobs().inStates({JobState::kDraft, JobState::kApproved, JobState::kExpanding, JobState::kSending,
                                            JobState::kPaused}))
      if (j.purpose == "promotions:" + id) {
        tx.messages().finishPending(j.id, MessageState::kCancelled, "the shop was closed", now);
        tx.jobs().setState(j.id, JobState::kCancelled, now);
        ++cancelled;
      }
    int tokens = 0;
    for (const ApiToken& t : tx.tokens().list())
      if (t.shop == id && !t.revokedAt) {
        tx.tokens().revoke(t.id, now);
        ++tokens;
      }
    for (KioskRecord k : tx.tokens().listKiosks())
      if (k.shop == id && !k.revokedAt) {
        k.revokedAt = now;
        tx.tokens().putKiosk(k);
      }
    int people = 0;
    for (const ConsoleAccount& a : tx.console().accounts())
      if (a.shop == id) {
        auto p = tx.people().find(a.person);
        if (p && !p->disabledAt) {
          tx.people().disable(a.person, now);
          ++people;
        }
      }
    tx.shops().forgetLists(id);
    shop.state = ShopState::kClosed;
    shop.closedAt = now;
    tx.shops().saveShop(shop);
    rec.record("shop.close", "shop:" + id,
               reason + "; " + std::to_string(cancelled) + " jobs cancelled, " + std::to_string(tokens) + " tokens revoked, " +
                   std::to_string(people) + " people disabled, lists deleted");
    // The cancelled jobs' reservations come back now.
    for (const JobCredit& c : tx.shops().openJobCredits())
      if (c.shop == id) settleCredits(tx, rec, c.job, true);
    return Status::okStatus();
  });
}

Status ShopService::topUp(Store& store, const std::string& id, int64_t parts, const std::string& actor) const {
  if (parts <= 0 || parts > 100'000'000) return Status::invalid("a top-up is 1 to 100,000,000 SMS parts");
  return audit_.write(store, actor, [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    TOCSIN_ASSIGN_OR_RETURN(Shop shop, findShop(tx, id));
    if (shop.creditMode != CreditMode::kBalance)
      return Status::failedPrecondition("shop '" + id + "' has " + creditModeName(shop.creditMode) + " credits, not a balance");
    if (shop.state == ShopState::kClosed) return Status::failedPrecondition("shop '" + id + "' is closed");
    shop.balance += parts;
    tx.shops().saveShop(shop);
    addEntry(tx, shop, std::nullopt, "top_up", parts, actor, rec.now());
    rec.record("shop.top_up", "shop:" + id, std::to_string(parts) + " parts; balance " + std::to_string(shop.balance));
    noteBalance(tx, rec, shop);
    return Status::okStatus();
  });
}

Status ShopService::change(Store& store, const std::string& id, const ShopChanges& c, const std::string& actor) const {
  if (c.lowBalance && (*c.lowBalance < 0 || *c.lowBalance > 100'000'000))
    return Status::invalid("the low-balance threshold is 0 to 100,000,000 parts");
  if (c.monthlyQuota && (*c.monthlyQuota < 1 || *c.monthlyQuota > 100'000'000))
    return Status::invalid("a monthly quota is 1 to 100,000,000 parts");
  return audit_.write(store, actor, [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    TOCSIN_ASSIGN_OR_RETURN(Shop shop, findShop(tx, id));
    std::string what;
    if (c.moderation) {
      shop.moderation = *c.moderation;
      what += std::string(" moderation ") + (shop.moderation ? "on" : "off");
    }
    if (c.tracking) {
      shop.tracking = *c.tracking;
      what += std::string(" link tracking ") + (shop.tracking ? "on" : "off");
    }
    if (c.lowBalance) {
      shop.lowBalance = *c.lowBalance;
      what += " low-balance threshold " + std::to_string(shop.lowBalance);
    }
    if (c.monthlyQuota) {
      if (shop.creditMode != CreditMode::kQuota) return Status::failedPrecondition("shop '" + id + "' has no monthly quota");
      shop.balance += *c.monthlyQuota - shop.monthlyQuota.value_or(0);
      addEntry(tx, shop, std::nullopt, "quota", *c.monthlyQuota - shop.monthlyQuota.value_or(0), actor, rec.now());
      shop.monthlyQuota = *c.monthlyQuota;
      what += " monthly quota " + std::to_string(*c.monthlyQuota);
    }
    if (what.empty()) return Status::invalid("nothing to change");
    tx.shops().saveShop(shop);
    rec.record("shop.change", "shop:" + id, what.substr(1));
    noteBalance(tx, rec, shop);
    return Status::okStatus();
  });
}

Result<int> ShopService::settleOpen(Store& store) const {
  // Running jobs keep their reservation until they end; what they used so far is shown from
  // their messages, not charged piecemeal.
  std::vector<JobId> finished;
  TOCSIN_RETURN_IF_ERROR(store.read([&](StoreTx& tx) {
    for (const JobCredit& c : tx.shops().openJobCredits()) {
      auto status = tx.jobs().status(c.job);
      if (!status || isFinishedState(status->state)) finished.push_back(c.job);
    }
    return Status::okStatus();
  }));
  int changed = 0;
  for (const JobId job : finished) {
    TOCSIN_RETURN_IF_ERROR(audit_.write(store, "credits", [&](StoreTx& tx, AuditRecorder& rec) {
      if (settleCredits(tx, rec, job, true)) ++changed;
      return Status::okStatus();
    }));
  }
  return changed;
}

}  // namespace tocsin::engine
