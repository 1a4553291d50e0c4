#include "broadcaster/engine/credentials.h"

#include <Poco/Net/IPAddress.h>

#include "common/base/text.h"
#include "common/consent/consent.h"
#include "common/crypto/hash.h"

namespace tocsin::engine {
namespace {

constexpr std::pair<Role, const char*> kRoles[] = {
    {Role::kOperator, "operator"}, {Role::kApprover, "approver"}, {Role::kMarketer, "marketer"},
    {Role::kAuditor, "auditor"},   {Role::kKiosk, "kiosk"},       {Role::kAdmin, "admin"},
};

Status validateName(const std::string& name) {
  if (name.empty() || name.size() > 64) return Status::invalid("a token's name has 1 to 64 characters");
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.' && c != '@')
      return Status::invalid("a token's name uses letters, digits and - _ . @ only: '" + name + "'");
  return Status::okStatus();
}

// "10.0.0.0/8" -> (address, prefix bits); an address alone is a /32 or /128.
bool parseBlock(const std::string& entry, Poco::Net::IPAddress& net, unsigned& bits) {
  const auto slash = entry.find('/');
  if (!Poco::Net::IPAddress::tryParse(entry.substr(0, slash), net)) return false;
  const unsigned max = net.family() == Poco::Net::IPAddress::IPv4 ? 32 : 128;
  bits = max;
  if (slash == std::string::npos) return true;
  const std::string b = entry.substr(slash + 1);
  if (b.empty() || b.size() > 3 || b.find_first_not_of("0123456789") != std::string::npos) return false;
  bits = static_cast<unsigned>(std::stoul(b));
  return bits <= max;
}

}  // namespace

const char* roleName(Role role) {
  for (const auto& [r, name] : kRoles)
    if (r == role) return name;
  return "unknown";
}

std::optional<Role> parseRole(std::string_view name) {
  for (const auto& [r, n] : kRoles)
    if (name == n) return r;
  return std::nullopt;
}

std::string tokenHash(const std::string& secret) { return toHex(sha256(secret)); }

Status validateAllowEntry(const std::string& entry) {
  Poco::Net::IPAddress net;
  unsigned bits = 0;
  if (!parseBlock(entry, net, bits)) return Status::invalid("'" + entry + "' is not an address or a CIDR block (10.0.0.0/8, ::1)");
  return Status::okStatus();
}

bool addressAllowed(const std::vector<std::string>& allowFrom, const std::string& peer) {
  if (allowFrom.empty()) return true;
  Poco::Net::IPAddress address;
  if (!Poco::Net::IPAddress::tryParse(peer, address)) return false;
  for (const auto& entry : allowFrom) {
    Poco::Net::IPAddress net;
    unsigned bits = 0;
    if (!parseBlock(entry, net, bits) || net.family() != address.family()) continue;
    const Poco::Net::IPAddress mask(bits, net.family());
    if ((address & mask) == (net & mask)) return true;
  }
  return false;
}

Result<std::string> createTokenIn(StoreTx& tx, AuditRecorder& rec, const NewToken& request) {
  TOCSIN_RETURN_IF_ERROR(validateName(request.name));
  const bool forShop = request.role == Role::kMarketer || request.role == Role::kKiosk;
  if (forShop && (!request.shop || request.shop->empty()))
    return Status::invalid(std::string(request.role == Role::kKiosk ? "a kiosk's token names the shop whose stand it is on"
                                                                    : "a marketer's token names the shop whose campaigns it runs") +
                           " (--shop)");
  if (!forShop && request.shop) return Status::invalid("only marketers' and kiosks' tokens name a shop");
  if (request.shop) TOCSIN_RETURN_IF_ERROR(validatePurpose("promotions:" + *request.shop).withContext("shop"));
  if (request.person) TOCSIN_RETURN_IF_ERROR(validatePersonName(*request.person));
  for (const auto& a : request.allowFrom) TOCSIN_RETURN_IF_ERROR(validateAllowEntry(a));
  TOCSIN_ASSIGN_OR_RETURN(const Bytes random, randomBytes(32));
  std::string secret = "tcs_" + toHex(random);
  if (tx.tokens().findByName(request.name)) return Status::alreadyExists("a token named " + request.name + " exists");
  if (request.person) {
    const auto p = tx.people().find(*request.person);
    if (!p) return Status::notFound("no person named " + *request.person + " (add them with tocsinctl person add)");
    if (p->disabledAt) return Status::failedPrecondition(*request.person + " is disabled");
  }
  ApiToken t;
  t.name = request.name;
  t.role = roleName(request.role);
  t.shop = request.shop;
  t.tokenHash = tokenHash(secret);
  t.allowFrom = request.allowFrom;
  t.person = request.person;
  t.createdBy = rec.actor();
  t.createdAt = rec.now();
  const int64_t id = tx.tokens().insert(t);
  rec.record("token.create", "token:" + std::to_string(id),
             t.role + " token " + t.name + (t.person ? " of person:" + *t.person : "") + (t.shop ? " for shop " + *t.shop : "") +
                 (t.allowFrom.empty() ? "" : ", limited to " + std::to_string(t.allowFrom.size()) + " address blocks"));
  return secret;
}

Result<std::string> createToken(Store& store, AuditLog& audit, const std::string& actor, const NewToken& request) {
  std::string secret;
  TOCSIN_RETURN_IF_ERROR(audit.write(store, actor, [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    TOCSIN_ASSIGN_OR_RETURN(secret, createTokenIn(tx, rec, request));
    return Status::okStatus();
  }));
  return secret;
}

Status revokeToken(Store& store, AuditLog& audit, const std::string& actor, const std::string& name) {
  return audit.write(store, actor, [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    auto t = tx.tokens().findByName(name);
    if (!t) return Status::notFound("no token named " + name);
    if (t->revokedAt) return Status::failedPrecondition("token " + name + " is already revoked");
    tx.tokens().revoke(t->id, rec.now());
    rec.record("token.revoke", "token:" + std::to_string(t->id), t->role + " token " + name);
    return Status::okStatus();
  });
}

Status validatePersonName(const std::string& name) {
  if (name.empty() || name.size() > 64) return Status::invalid("a person's name has 1 to 64 characters");
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
      return Status::invalid("a person's name uses letters, digits and - _ . only: '" + name + "'");
  return Status::okStatus();
}

Status addPerson(Store& store, AuditLog& audit, const std::string& actor, const Person& person) {
  TOCSIN_RETURN_IF_ERROR(validatePersonName(person.name));
  if (person.osUser && (person.osUser->empty() || !isCleanLine(*person.osUser, 64)))
    return Status::invalid("an OS account name is 1 to 64 plain characters");
  return audit.write(store, actor, [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    if (tx.people().find(person.name)) return Status::alreadyExists("a person named " + person.name + " exists");
    if (person.osUser && tx.people().findByOsUser(*person.osUser))
      return Status::alreadyExists("the OS account " + *person.osUser + " already belongs to someone");
    Person p = person;
    p.createdBy = actor;
    p.createdAt = rec.now();
    tx.people().insert(p);
    rec.record("person.add", "person:" + p.name, p.osUser ? "OS account " + *p.osUser : "no OS account");
    return Status::okStatus();
  });
}

Status disablePerson(Store& store, AuditLog& audit, const std::string& actor, const std::string& name) {
  return audit.write(store, actor, [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    const auto p = tx.people().find(name);
    if (!p) return Status::notFound("no person named " + name);
    if (p->disabledAt) return Status::failedPrecondition(name + " is already disabled");
    tx.people().disable(name, rec.now());
    rec.record("person.disable", "person:" + name, "their console sessions, tokens and OS account no longer act for them");
    return Status::okStatus();
  });
}

std::string actorName(const std::optional<std::string>& person, const std::string& channel) {
  return person ? "person:" + *person + " via " + channel : channel;
}

std::string personOf(const std::string& actor) {
  constexpr std::string_view kVia = " via ";
  if (actor.rfind("person:", 0) != 0) return actor;
  const auto via = actor.find(kVia);
  return via == std::string::npos ? actor : actor.substr(0, via);
}

}  // namespace tocsin::engine
