#include "common/phone/phone.h"

#include <phonenumbers/phonenumberutil.h>

namespace tocsin {

using i18n::phonenumbers::PhoneNumberUtil;

namespace {

const char* typeName(PhoneNumberUtil::PhoneNumberType t) {
  switch (t) {
    case PhoneNumberUtil::FIXED_LINE: return "fixed_line";
    case PhoneNumberUtil::MOBILE: return "mobile";
    case PhoneNumberUtil::FIXED_LINE_OR_MOBILE: return "fixed_line_or_mobile";
    case PhoneNumberUtil::TOLL_FREE: return "toll_free";
    case PhoneNumberUtil::PREMIUM_RATE: return "premium_rate";
    case PhoneNumberUtil::SHARED_COST: return "shared_cost";
    case PhoneNumberUtil::VOIP: return "voip";
    case PhoneNumberUtil::PERSONAL_NUMBER: return "personal_number";
    case PhoneNumberUtil::PAGER: return "pager";
    case PhoneNumberUtil::UAN: return "uan";
    case PhoneNumberUtil::VOICEMAIL: return "voicemail";
    case PhoneNumberUtil::UNKNOWN: return "unknown";
  }
  return "unknown";
}

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

}  // namespace

PhoneNormalizer::PhoneNormalizer(std::string defaultRegion) : region_(std::move(defaultRegion)) {}

bool PhoneNormalizer::isKnownRegion(std::string_view region) {
  std::set<std::string> regions;
  PhoneNumberUtil::GetInstance()->GetSupportedRegions(&regions);
  return regions.count(std::string(region)) > 0;
}

Result<PhoneNumber> PhoneNormalizer::normalize(std::string_view input) const {
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  if (input.empty()) return Status::invalid("phone number is empty");
  if (input.size() > 40) return Status::invalid("phone number " + quoted(input.substr(0, 40)) + "... is too long");
  i18n::phonenumbers::PhoneNumber number;
  const auto err = util.Parse(std::string(input), region_, &number);
  switch (err) {
    case PhoneNumberUtil::NO_PARSING_ERROR: break;
    case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR:
      return Status::invalid("phone number " + quoted(input) + " has no valid country code (write it as +<country>...)");
    case PhoneNumberUtil::NOT_A_NUMBER:
      return Status::invalid("phone number " + quoted(input) + " is not a phone number");
    case PhoneNumberUtil::TOO_SHORT_AFTER_IDD:
    case PhoneNumberUtil::TOO_SHORT_NSN:
      return Status::invalid("phone number " + quoted(input) + " is too short");
    case PhoneNumberUtil::TOO_LONG_NSN:
      return Status::invalid("phone number " + quoted(input) + " is too long");
  }
  if (number.has_extension())
    return Status::invalid("phone number " + quoted(input) + " has an extension; SMS cannot reach an extension");
  std::string region;
  util.GetRegionCodeForNumber(number, &region);
  // GetNumberType returns UNKNOWN exactly when the number is not valid for its region, so it
  // doubles as the validity check (IsValidNumber would repeat the same matching).
  const auto type = util.GetNumberType(number);
  if (type == PhoneNumberUtil::UNKNOWN) {
    switch (util.IsPossibleNumberWithReason(number)) {
      case PhoneNumberUtil::TOO_SHORT:
        return Status::invalid("phone number " + quoted(input) + " is too short for its country");
      case PhoneNumberUtil::TOO_LONG:
        return Status::invalid("phone number " + quoted(input) + " is too long for its country");
      case PhoneNumberUtil::INVALID_COUNTRY_CODE:
        return Status::invalid("phone number " + quoted(input) + " has an unknown country code");
      default:
        return Status::invalid("phone number " + quoted(input) + " is not a valid number" +
                               (region.empty() || region == "ZZ" ? std::string() : " in " + region));
    }
  }
  PhoneNumber out;
  util.Format(number, PhoneNumberUtil::E164, &out.e164);
  out.numberType = typeName(type);
  out.region = region;
  return out;
}

Status checkSmsCapable(const PhoneNumber& phone) {
  static const std::string_view kOk[] = {"mobile", "fixed_line_or_mobile", "voip", "personal_number"};
  for (auto t : kOk)
    if (phone.numberType == t) return Status::okStatus();
  return Status::invalid("phone number " + phone.e164 + " is a " + phone.numberType +
                         " number, which cannot receive SMS");
}

}  // namespace tocsin
