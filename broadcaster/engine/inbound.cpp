#include "broadcaster/engine/inbound.h"

#include "broadcaster/engine/webhooks.h"
#include "common/consent/consent.h"
#include "common/jobs/transactional.h"
#include "policies/replies.h"

namespace tocsin::engine {
namespace {

const char* kIntentNames[] = {"stop", "start", "help", "code", "other"};

// Channel ids are [A-Za-z0-9._-]; bearer names are configured that way, but be safe.
std::string channelFor(const std::string& bearer) {
  std::string id;
  for (char c : bearer) id += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') ? c : '-';
  return "sms:" + (id.empty() ? std::string("unknown") : id.substr(0, 64));
}

}  // namespace

std::string replyLanguage(const std::optional<Contact>& contact, const std::string& region) {
  if (contact && contact->details.language) return primaryLanguage(*contact->details.language);
  static const std::pair<const char*, const char*> kByRegion[] = {
      {"FR", "fr"}, {"BE", "fr"}, {"LU", "fr"}, {"MC", "fr"}, {"IT", "it"}, {"PL", "pl"},
      {"DE", "de"}, {"AT", "de"}, {"ES", "es"}, {"CH", "fr"}};
  for (const auto& [r, l] : kByRegion)
    if (region == r) return l;
  return "en";
}

// One incoming message being handled: who sent it, in which language to answer, and the
// consent change every answer starts from.
struct InboundHandler::Context {
  StoreTx& tx;
  AuditRecorder& audit;
  const IncomingMessage& message;
  std::string from;  // E.164 when it normalises
  std::optional<Contact> contact;
  std::string language;
  policy::ReplyIntent intent;
  ConsentChange base;
  InboundOutcome out;

  std::optional<ContactId> contactId() const { return contact ? std::optional<ContactId>(contact->id) : std::nullopt; }
  // Queues an answer by the bearer the message came in through.
  Status reply(const std::string& text, const std::string& title) {
    if (text.empty()) return Status::okStatus();
    out.replied = true;
    return queueTransactional(tx, audit, {title, from, contactId(), text, language, message.bearer, std::nullopt, std::nullopt}).status();
  }
};

Result<InboundOutcome> InboundHandler::handle(StoreTx& tx, AuditRecorder& audit, const IncomingMessage& m) const {
  Context c{tx, audit, m, m.from, std::nullopt, "", {}, {}, {}};
  std::string region;
  if (auto n = phones_.normalize(m.from); n.ok()) {
    c.from = n->e164;
    region = n->region;
  }
  c.contact = tx.contacts().findByPhone(c.from);
  c.language = replyLanguage(c.contact, region);
  c.intent = policy::classifyReply(m.text, policies_.extraStopWords);
  c.out.intent = kIntentNames[static_cast<int>(c.intent.kind)];
  c.base = ConsentChange{"", c.language, channelFor(m.bearer), "sms-keyword", "keyword " + c.intent.keyword};
  const policy::ReplyTexts& texts = policies_.repliesFor(c.language);
  switch (c.intent.kind) {
    case policy::ReplyIntent::Kind::kStop: TOCSIN_RETURN_IF_ERROR(stop(c)); break;
    case policy::ReplyIntent::Kind::kStart:
      c.out.outcome = "answered: consent is given again only by signing up";
      TOCSIN_RETURN_IF_ERROR(c.reply(texts.start, "reply to START"));
      break;
    case policy::ReplyIntent::Kind::kHelp:
      c.out.outcome = "answered";
      TOCSIN_RETURN_IF_ERROR(c.reply(texts.help, "reply to HELP"));
      break;
    case policy::ReplyIntent::Kind::kConfirmationCode: TOCSIN_RETURN_IF_ERROR(confirmCode(c)); break;
    case policy::ReplyIntent::Kind::kOther: c.out.outcome = "stored"; break;
  }
  record(c);
  return c.out;
}

Status InboundHandler::stop(Context& c) const {
  if (!c.contact) {
    c.out.outcome = "not a known number; nothing to withdraw";
    return Status::okStatus();
  }
  std::vector<std::string> withdrawn;
  for (const auto& [purpose, standing] : c.tx.consent().standings(c.contact->id)) {
    if (purpose.rfind("promotions:", 0) != 0 || standing.state == ConsentAction::kWithdrawn) continue;
    ConsentChange change = c.base;
    change.purpose = purpose;
    TOCSIN_ASSIGN_OR_RETURN(auto event, consent::withdraw(c.tx, c.audit, c.contact->id, change));
    if (event) withdrawn.push_back(purpose);
  }
  if (withdrawn.empty()) {
    c.out.outcome = "nothing to withdraw (already opted out)";
    return Status::okStatus();
  }
  c.out.outcome = "withdrew";
  for (const auto& p : withdrawn) c.out.outcome += " " + p;
  // One confirmation, without advertising, as the regulators ask.
  return c.reply(policies_.repliesFor(c.language).stop, "reply to STOP");
}

Status InboundHandler::confirmCode(Context& c) const {
  TOCSIN_ASSIGN_OR_RETURN(const CodeCheck check, signups_.confirmReplied(c.tx, c.audit, c.from, c.intent.code, c.base.channel));
  switch (check.verdict) {
    case CodeCheck::Verdict::kBlocked: c.out.outcome = "no sign-up waiting for a code from this number"; return Status::okStatus();
    case CodeCheck::Verdict::kWrong: c.out.outcome = "wrong code"; return Status::okStatus();
    case CodeCheck::Verdict::kConfirmed: break;
  }
  // A sign-up may just have made the contact.
  c.contact = c.tx.contacts().findByPhone(c.from);
  c.out.outcome = check.confirmed.empty() ? "code right, but nothing was waiting for it" : "confirmed";
  for (const auto& p : check.confirmed) c.out.outcome += " " + p;
  if (check.confirmed.empty()) return Status::okStatus();
  c.language = check.language;
  // A withdrawal is confirmed as a STOP is (without advertising); a sign-up as a sign-up.
  if (check.withdrawal) return c.reply(policies_.repliesFor(c.language).stop, "withdrawal confirmed");
  return c.reply(policies_.repliesFor(c.language).confirmed, "sign-up confirmed");
}

void InboundHandler::record(Context& c) const {
  IncomingRecord record;
  record.contact = c.contactId();
  record.sender = c.from;
  record.recipient = c.message.to;
  record.body = c.message.text;
  record.bearer = c.message.bearer;
  record.intent = c.out.intent;
  record.outcome = c.out.outcome;
  record.receivedAt = c.message.receivedAt;
  const int64_t id = c.tx.inbox().addIncoming(record);
  c.tx.webhooks().enqueue("incoming", incomingEventJson(record, id), c.message.receivedAt, std::nullopt);
  const std::string object = c.contact ? "contact:" + std::to_string(c.contact->id) : std::string("unknown-number");
  c.audit.record("sms.incoming", object,
                 c.out.intent + " through " + c.message.bearer + ": " + c.out.outcome + " (incoming #" + std::to_string(id) + ")");
}

}  // namespace tocsin::engine
