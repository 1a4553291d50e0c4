#include "kiosk/signups.h"


namespace tocsin::kiosk {

std::string maskPhone(const std::string& e164, const std::string& callingCode) {
  if (e164.size() < callingCode.size() + 4 || e164.compare(0, callingCode.size(), callingCode) != 0) return e164;
  const std::string national = e164.substr(callingCode.size());
  std::string out = callingCode + " " + national.substr(0, 1) + " ";
  for (size_t i = 1; i < national.size(); ++i) {
    const bool shown = i >= national.size() - 3;
    out += shown ? std::string(1, national[i]) : std::string("\u2022");
    if ((national.size() - 1 - i) % 2 == 0 && i + 1 < national.size()) out += " ";
  }
  return out;
}

}  // namespace tocsin::kiosk
