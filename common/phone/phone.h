// Phone numbers: everything the store keeps is E.164, normalised by libphonenumber.
#pragma once

#include <string>
#include <string_view>

#include "common/base/status.h"

namespace tocsin {

struct PhoneNumber {
  std::string e164;        // "+33612345678"
  std::string numberType;  // "mobile", "fixed_line", "fixed_line_or_mobile", "toll_free", ...
  std::string region;      // "FR"
};

// Thread-safe; cheap to copy.
// Refuses number types that cannot receive SMS (fixed lines, premium rate, ...).
Status checkSmsCapable(const PhoneNumber& phone);

class PhoneNormalizer {
 public:
  // `defaultRegion`: ISO 3166-1 alpha-2 region used for numbers written without "+" or "00".
  explicit PhoneNormalizer(std::string defaultRegion);

  // Parses and validates `input` ("06 12 34 56 78", "+33 6 12 34 56 78", "0033612345678").
  // Invalid numbers are refused with the reason: "too short for FR", "no such country code", ...
  Result<PhoneNumber> normalize(std::string_view input) const;

  const std::string& defaultRegion() const { return region_; }
  // True when `region` is a region libphonenumber knows ("FR", "US", ...).
  static bool isKnownRegion(std::string_view region);

 private:
  std::string region_;
};

}  // namespace tocsin
