#include "hardware/smpp/receipt.h"

#include <algorithm>
#include <charconv>
#include <cctype>

namespace tocsin::smpp {
namespace {

struct Label {
  const char* name;  // lower case, as matched
  int field;
};
enum Field { kId, kSub, kDlvrd, kSubmitDate, kDoneDate, kStat, kErr, kText };
// Longer labels first so "submit date" wins over a bare "submit".
constexpr Label kLabels[] = {{"submit date:", kSubmitDate}, {"submit_date:", kSubmitDate}, {"done date:", kDoneDate},
                             {"done_date:", kDoneDate},     {"dlvrd:", kDlvrd},            {"stat:", kStat},
                             {"text:", kText},              {"sub:", kSub},                {"err:", kErr},
                             {"id:", kId}};

bool startsWithLabel(std::string_view s, size_t pos, const char* label) {
  for (size_t i = 0; label[i]; ++i)
    if (pos + i >= s.size() || std::tolower(static_cast<unsigned char>(s[pos + i])) != label[i]) return false;
  return true;
}

// Labels only count at the start or after a space, so "text:id:..." keeps the text whole.
std::optional<std::pair<int, size_t>> labelAt(std::string_view s, size_t pos) {
  if (pos > 0 && s[pos - 1] != ' ') return std::nullopt;
  for (const auto& l : kLabels)
    if (startsWithLabel(s, pos, l.name)) return std::pair{l.field, std::char_traits<char>::length(l.name)};
  return std::nullopt;
}

std::string trimmed(std::string_view v) {
  while (!v.empty() && (v.back() == ' ' || v.back() == '\0')) v.remove_suffix(1);
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  return std::string(v);
}

std::optional<int> number(const std::string& v) {
  int n = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || end != v.data() + v.size()) return std::nullopt;
  return n;
}

bool allOf(std::string_view s, int (*pred)(int)) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [&](char c) { return pred(static_cast<unsigned char>(c)) != 0; });
}

}  // namespace

MessageState stateFromStat(std::string_view stat) {
  std::string s;
  for (char c : stat) s += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (s == "DELIVRD" || s == "DELIVERED") return MessageState::kDelivered;
  if (s == "EXPIRED") return MessageState::kExpired;
  if (s == "DELETED") return MessageState::kDeleted;
  if (s == "UNDELIV" || s == "UNDELIVERABLE") return MessageState::kUndeliverable;
  if (s == "ACCEPTD" || s == "ACCEPTED") return MessageState::kAccepted;
  if (s == "REJECTD" || s == "REJECTED") return MessageState::kRejected;
  if (s == "ENROUTE") return MessageState::kEnroute;
  return MessageState::kUnknown;
}

Result<DeliveryReceipt> parseReceipt(std::string_view s) {
  DeliveryReceipt r;
  std::optional<std::string> values[8];
  int current = -1;
  size_t valueStart = 0;
  auto close = [&](size_t end) {
    if (current >= 0 && !values[current]) values[current] = std::string(s.substr(valueStart, end - valueStart));
  };
  for (size_t pos = 0; pos < s.size(); ++pos) {
    if (current == kText) break;  // the text runs to the end and may hold anything
    if (auto label = labelAt(s, pos)) {
      close(pos);
      current = label->first;
      pos += label->second - 1;
      valueStart = pos + 1;
    }
  }
  close(s.size());
  if (!values[kId] || trimmed(*values[kId]).empty()) return Status::invalid("the delivery receipt has no id: field");
  if (!values[kStat] || trimmed(*values[kStat]).empty())
    return Status::invalid("the delivery receipt has no stat: field");
  r.id = trimmed(*values[kId]);
  r.stat = trimmed(*values[kStat]);
  r.state = stateFromStat(r.stat);
  if (values[kSub]) r.submitted = number(trimmed(*values[kSub]));
  if (values[kDlvrd]) r.delivered = number(trimmed(*values[kDlvrd]));
  if (values[kSubmitDate]) r.submitDate = trimmed(*values[kSubmitDate]);
  if (values[kDoneDate]) r.doneDate = trimmed(*values[kDoneDate]);
  if (values[kErr]) r.err = trimmed(*values[kErr]);
  if (values[kText]) r.text = *values[kText];
  return r;
}

Result<DeliveryReceipt> receiptFromPdu(const Pdu& pdu) {
  if (!isDeliveryReceipt(pdu)) return Status::invalid("the PDU is not a delivery receipt (esm_class type 0x04)");
  std::string text;
  if (const auto* sm = pdu.as<ShortMessage>()) text = sm->shortMessage;
  if (text.empty())
    if (const Tlv* payload = pdu.findTlv(tlv::kMessagePayload)) text = payload->value;
  auto parsed = parseReceipt(text);
  const auto tlvId = pdu.tlvCString(tlv::kReceiptedMessageId);
  const auto tlvState = pdu.tlvU8(tlv::kMessageState);
  if (!parsed.ok()) {
    if (!tlvId || !tlvState) return parsed.status();
    DeliveryReceipt r;  // the TLVs alone are enough
    r.id = *tlvId;
    r.state = static_cast<MessageState>(*tlvState);
    r.stat = messageStateName(*tlvState);
    return r;
  }
  DeliveryReceipt r = std::move(*parsed);
  if (tlvId && !tlvId->empty()) r.id = *tlvId;
  if (tlvState && *tlvState <= 9) r.state = static_cast<MessageState>(*tlvState);
  return r;
}

std::string normalizeMessageId(std::string_view id) {
  std::string out;
  for (char c : id) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const size_t nonZero = out.find_first_not_of('0');
  if (nonZero == std::string::npos) return out.empty() ? out : "0";
  return out.substr(nonZero);
}

std::vector<std::string> messageIdKeys(std::string_view id) {
  std::vector<std::string> keys{normalizeMessageId(id)};
  const std::string k = keys[0];  // a copy: adding keys may move the vector
  auto add = [&](std::string v) {
    if (std::find(keys.begin(), keys.end(), v) == keys.end()) keys.push_back(std::move(v));
  };
  if (k.size() <= 19 && allOf(k, [](int c) { return std::isdigit(c); })) {
    uint64_t v = 0;
    std::from_chars(k.data(), k.data() + k.size(), v);
    char buf[24];
    const auto res = std::to_chars(buf, buf + sizeof buf, v, 16);
    add(std::string(buf, res.ptr));
  }
  if (k.size() <= 16 && allOf(k, [](int c) { return std::isxdigit(c); })) {
    uint64_t v = 0;
    std::from_chars(k.data(), k.data() + k.size(), v, 16);
    add(std::to_string(v));
  }
  return keys;
}

}  // namespace tocsin::smpp
