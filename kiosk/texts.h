// What the kiosk says, in each of its languages. Every language is named in itself. The
// consent texts are not here: they are legal text, registered on the appliance
// (tocsinctl consent text add) and fetched from it, so what is shown is exactly what is recorded.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace tocsin::kiosk {

struct Language {
  std::string code;     // "fr"
  std::string endonym;  // "Français"
};
const std::vector<Language>& languages();
bool isKioskLanguage(const std::string& code);

struct UiText {
  std::string signUp, stopMessages, touchToStart, chooseLanguage;
  std::string whatYouGet, stepOf;  // {town} {shop}; {n} {total}
  std::string phoneTitle, phoneHint, country, next, back, invalidPhone;
  std::string nameTitle, nameHint, skip;
  std::string ageTitle, ageYes, ageNo;  // {age}
  std::string consentTitle, consentIntro, alertsLabel, promotionsLabel, noPromotionsUnderAge, consentFooter;
  std::string submit, noThanks, chooseOne;
  std::string codeTitle, codeHint, confirm, replyInstead, wrongCode, codeBlocked;  // {phone} {left}
  std::string doneConfirmed, donePending, finish;
  std::string withdrawTitle, withdrawConfirm, withdrawDone;
  std::string stillThere, keepGoing, clearingIn;  // {seconds}
  std::string adminTitle, adminPin, exitApp, wrongPin, exitLocked;
  std::string serviceError;
  std::string largeText, normalText, notInService;
  std::string pairKiosk, pairTitle, pairHint, paired, pairRefused, unreachable;
};
const UiText& uiText(const std::string& language);

// "{age}" etc. replaced by their values.
std::string fill(std::string text, const std::map<std::string, std::string>& values);

// Countries offered by the picker (ISO 3166 codes with their calling code), the default first.
struct Country {
  std::string region;
  std::string callingCode;  // "+33"
};
std::vector<Country> countries(const std::string& defaultRegion);
// "+33" for "FR"; "" for a region the picker does not offer.
std::string callingCode(const std::string& region);

}  // namespace tocsin::kiosk
