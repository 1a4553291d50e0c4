#include "kiosk/texts.h"

#include <algorithm>

namespace tocsin::kiosk {
namespace {

UiText english() {
  UiText t;
  t.signUp = "Sign up for SMS";
  t.stopMessages = "Stop my messages";
  t.touchToStart = "Touch a button to start";
  t.whatYouGet = "{town}'s public alerts and, if you wish, offers from {shop}, by SMS. Free; stop at any time.";
  t.stepOf = "Step {n} of {total}";
  t.chooseLanguage = "Choose your language";
  t.phoneTitle = "Your mobile number";
  t.phoneHint = "Type it with the keys below";
  t.country = "Country";
  t.next = "Next";
  t.back = "Back";
  t.invalidPhone = "This is not a mobile number we can reach. Please check it.";
  t.nameTitle = "Your first name (optional)";
  t.nameHint = "Used only to greet you in messages";
  t.skip = "Skip";
  t.ageTitle = "Are you {age} years old or older?";
  t.ageYes = "Yes, I am {age} or older";
  t.ageNo = "No, I am under {age}";
  t.consentTitle = "What would you like to receive?";
  t.consentIntro = "Nothing is ticked for you. Tick only what you want; you can choose one without the other.";
  t.alertsLabel = "Emergency alerts from the town";
  t.promotionsLabel = "Offers from {shop}";
  t.noPromotionsUnderAge = "Offers from the shop are only for people aged {age} or older.";
  t.consentFooter = "You can stop at any time: reply STOP to any message, or use \"Stop my messages\" at this kiosk.";
  t.submit = "Sign up";
  t.noThanks = "No thanks";
  t.chooseOne = "Tick at least one choice, or press \"No thanks\".";
  t.codeTitle = "We sent a code by SMS to {phone}";
  t.codeHint = "Type the 6-digit code, or reply to the SMS with it later.";
  t.confirm = "Confirm";
  t.replyInstead = "I will reply by SMS";
  t.wrongCode = "That code is not right. {left} tries left.";
  t.codeBlocked = "Too many wrong codes. Please start again.";
  t.doneConfirmed = "Thank you! You are signed up.";
  t.donePending = "Thank you! Reply to our SMS with the code to confirm. Nothing is sent before that.";
  t.finish = "Finish";
  t.withdrawTitle = "Stop this shop's offers to this number?";
  t.withdrawConfirm = "Stop the offers";
  t.withdrawDone = "Done. If this number was signed up, it will receive no more offers from this shop. Town alerts: ask the town hall.";
  t.stillThere = "Are you still there?";
  t.keepGoing = "Continue";
  t.clearingIn = "Everything you typed will be cleared in {seconds} s.";
  t.adminTitle = "Kiosk settings";
  t.adminPin = "Staff PIN";
  t.exitApp = "Close the kiosk";
  t.wrongPin = "Wrong PIN.";
  t.exitLocked = "This kiosk was started without --allow-exit: it cannot be closed from here.";
  t.serviceError = "Sorry, something went wrong. Please ask the staff.";
  t.largeText = "A+ Larger text";
  t.normalText = "A- Normal text";
  t.notInService = "This kiosk is not in service yet.";
  t.pairKiosk = "Pair with the appliance";
  t.pairTitle = "Pairing code";
  t.pairHint = "The code from the appliance's admin (tocsinctl kiosk add)";
  t.paired = "Paired. The kiosk starts now.";
  t.pairRefused = "Refused: the code is wrong, used or expired.";
  t.unreachable = "The appliance cannot be reached. Check the network and try again.";
  return t;
}

UiText french() {
  UiText t;
  t.signUp = "M'inscrire aux SMS";
  t.stopMessages = "Arrêter mes messages";
  t.touchToStart = "Touchez un bouton pour commencer";
  t.whatYouGet = "Les alertes de {town} et, si vous le souhaitez, les offres de {shop}, par SMS. Gratuit ; arrêt à tout moment.";
  t.stepOf = "Étape {n} sur {total}";
  t.chooseLanguage = "Choisissez votre langue";
  t.phoneTitle = "Votre numéro de mobile";
  t.phoneHint = "Tapez-le avec les touches ci-dessous";
  t.country = "Pays";
  t.next = "Suivant";
  t.back = "Retour";
  t.invalidPhone = "Ce numéro de mobile n'est pas valide. Vérifiez-le.";
  t.nameTitle = "Votre prénom (facultatif)";
  t.nameHint = "Seulement pour vous saluer dans les messages";
  t.skip = "Passer";
  t.ageTitle = "Avez-vous {age} ans ou plus ?";
  t.ageYes = "Oui, j'ai {age} ans ou plus";
  t.ageNo = "Non, j'ai moins de {age} ans";
  t.consentTitle = "Que souhaitez-vous recevoir ?";
  t.consentIntro = "Rien n'est coché d'avance. Cochez seulement ce que vous voulez ; l'un sans l'autre est possible.";
  t.alertsLabel = "Les alertes d'urgence de la ville";
  t.promotionsLabel = "Les offres de {shop}";
  t.noPromotionsUnderAge = "Les offres du commerce sont réservées aux personnes de {age} ans ou plus.";
  t.consentFooter = "Vous pouvez arrêter à tout moment : répondez STOP à un message, ou touchez \"Arrêter mes messages\" sur cette borne.";
  t.submit = "M'inscrire";
  t.noThanks = "Non merci";
  t.chooseOne = "Cochez au moins un choix, ou touchez \"Non merci\".";
  t.codeTitle = "Nous avons envoyé un code par SMS au {phone}";
  t.codeHint = "Tapez le code à 6 chiffres, ou répondez plus tard au SMS avec ce code.";
  t.confirm = "Valider";
  t.replyInstead = "Je répondrai par SMS";
  t.wrongCode = "Ce code n'est pas le bon. Encore {left} essais.";
  t.codeBlocked = "Trop de codes faux. Recommencez l'inscription.";
  t.doneConfirmed = "Merci ! Votre inscription est confirmée.";
  t.donePending = "Merci ! Répondez à notre SMS avec le code pour confirmer. Rien ne sera envoyé avant.";
  t.finish = "Terminer";
  t.withdrawTitle = "Arrêter les offres de ce magasin vers ce numéro ?";
  t.withdrawConfirm = "Arrêter les offres";
  t.withdrawDone = "C'est fait. Si ce numéro était inscrit, il ne recevra plus d'offres de ce magasin. Alertes de la ville : adressez-vous à la mairie.";
  t.stillThere = "Êtes-vous toujours là ?";
  t.keepGoing = "Continuer";
  t.clearingIn = "Tout ce que vous avez saisi sera effacé dans {seconds} s.";
  t.adminTitle = "Réglages de la borne";
  t.adminPin = "Code du personnel";
  t.exitApp = "Fermer la borne";
  t.wrongPin = "Code erroné.";
  t.exitLocked = "Cette borne a été lancée sans --allow-exit : elle ne peut pas être fermée d'ici.";
  t.serviceError = "Désolé, une erreur est survenue. Adressez-vous au personnel.";
  t.largeText = "A+ Texte plus grand";
  t.normalText = "A- Texte normal";
  t.notInService = "Cette borne n'est pas encore en service.";
  t.pairKiosk = "Appairer avec le boîtier";
  t.pairTitle = "Code d'appairage";
  t.pairHint = "Le code donné par l'administrateur du boîtier (tocsinctl kiosk add)";
  t.paired = "Appairée. La borne démarre.";
  t.pairRefused = "Refusé : le code est faux, déjà utilisé ou expiré.";
  t.unreachable = "Le boîtier est injoignable. Vérifiez le réseau et réessayez.";
  return t;
}

UiText italian() {
  UiText t;
  t.signUp = "Iscrivimi agli SMS";
  t.stopMessages = "Ferma i miei messaggi";
  t.touchToStart = "Tocca un pulsante per iniziare";
  t.whatYouGet = "Gli avvisi di {town} e, se vuoi, le offerte di {shop}, via SMS. Gratis; puoi smettere quando vuoi.";
  t.stepOf = "Passo {n} di {total}";
  t.chooseLanguage = "Scegli la lingua";
  t.phoneTitle = "Il tuo numero di cellulare";
  t.phoneHint = "Scrivilo con i tasti qui sotto";
  t.country = "Paese";
  t.next = "Avanti";
  t.back = "Indietro";
  t.invalidPhone = "Questo numero di cellulare non è valido. Controllalo.";
  t.nameTitle = "Il tuo nome (facoltativo)";
  t.nameHint = "Solo per salutarti nei messaggi";
  t.skip = "Salta";
  t.ageTitle = "Hai {age} anni o più?";
  t.ageYes = "Sì, ho {age} anni o più";
  t.ageNo = "No, ho meno di {age} anni";
  t.consentTitle = "Che cosa vuoi ricevere?";
  t.consentIntro = "Nulla è selezionato in anticipo. Scegli solo ciò che vuoi; puoi sceglierne uno senza l'altro.";
  t.alertsLabel = "Gli avvisi di emergenza del Comune";
  t.promotionsLabel = "Le offerte di {shop}";
  t.noPromotionsUnderAge = "Le offerte del negozio sono riservate a chi ha {age} anni o più.";
  t.consentFooter = "Puoi smettere quando vuoi: rispondi STOP a un messaggio, o tocca \"Ferma i miei messaggi\" qui.";
  t.submit = "Iscrivimi";
  t.noThanks = "No grazie";
  t.chooseOne = "Seleziona almeno una scelta, o tocca \"No grazie\".";
  t.codeTitle = "Abbiamo inviato un codice via SMS al {phone}";
  t.codeHint = "Scrivi il codice di 6 cifre, o rispondi più tardi all'SMS con il codice.";
  t.confirm = "Conferma";
  t.replyInstead = "Risponderò via SMS";
  t.wrongCode = "Il codice non è giusto. Restano {left} tentativi.";
  t.codeBlocked = "Troppi codici sbagliati. Ricomincia l'iscrizione.";
  t.doneConfirmed = "Grazie! La tua iscrizione è confermata.";
  t.donePending = "Grazie! Rispondi al nostro SMS con il codice per confermare. Nulla viene inviato prima.";
  t.finish = "Fine";
  t.withdrawTitle = "Fermare le offerte di questo negozio a questo numero?";
  t.withdrawConfirm = "Ferma le offerte";
  t.withdrawDone = "Fatto. Se questo numero era iscritto, non riceverà più offerte da questo negozio. Avvisi del Comune: rivolgersi al Comune.";
  t.stillThere = "Sei ancora lì?";
  t.keepGoing = "Continua";
  t.clearingIn = "Tutto ciò che hai scritto sarà cancellato tra {seconds} s.";
  t.adminTitle = "Impostazioni del chiosco";
  t.adminPin = "PIN del personale";
  t.exitApp = "Chiudi il chiosco";
  t.wrongPin = "PIN errato.";
  t.exitLocked = "Questo chiosco è stato avviato senza --allow-exit: non si può chiudere da qui.";
  t.serviceError = "Spiacenti, si è verificato un errore. Rivolgiti al personale.";
  t.largeText = "A+ Testo più grande";
  t.normalText = "A- Testo normale";
  t.notInService = "Questo chiosco non è ancora in servizio.";
  t.pairKiosk = "Associa all'apparato";
  t.pairTitle = "Codice di associazione";
  t.pairHint = "Il codice dato dall'amministratore dell'apparato (tocsinctl kiosk add)";
  t.paired = "Associato. Il chiosco si avvia.";
  t.pairRefused = "Rifiutato: il codice è errato, già usato o scaduto.";
  t.unreachable = "L'apparato non è raggiungibile. Controlla la rete e riprova.";
  return t;
}

UiText polish() {
  UiText t;
  t.signUp = "Zapisz mnie na SMS-y";
  t.stopMessages = "Zatrzymaj moje wiadomości";
  t.touchToStart = "Dotknij przycisku, aby zacząć";
  t.whatYouGet = "Alerty {town} i, jeśli chcesz, oferty {shop} SMS-em. Bezpłatnie; możesz zrezygnować w każdej chwili.";
  t.stepOf = "Krok {n} z {total}";
  t.chooseLanguage = "Wybierz język";
  t.phoneTitle = "Twój numer komórkowy";
  t.phoneHint = "Wpisz go przyciskami poniżej";
  t.country = "Kraj";
  t.next = "Dalej";
  t.back = "Wstecz";
  t.invalidPhone = "To nie jest prawidłowy numer komórkowy. Sprawdź go.";
  t.nameTitle = "Twoje imię (opcjonalnie)";
  t.nameHint = "Tylko po to, by przywitać Cię w wiadomościach";
  t.skip = "Pomiń";
  t.ageTitle = "Czy masz {age} lat lub więcej?";
  t.ageYes = "Tak, mam {age} lat lub więcej";
  t.ageNo = "Nie, mam mniej niż {age} lat";
  t.consentTitle = "Co chcesz otrzymywać?";
  t.consentIntro = "Nic nie jest zaznaczone za Ciebie. Zaznacz tylko to, czego chcesz; jedno bez drugiego jest możliwe.";
  t.alertsLabel = "Alerty alarmowe miasta";
  t.promotionsLabel = "Oferty {shop}";
  t.noPromotionsUnderAge = "Oferty sklepu są tylko dla osób w wieku {age} lat lub starszych.";
  t.consentFooter = "Możesz zrezygnować w każdej chwili: odpowiedz STOP na wiadomość lub dotknij \"Zatrzymaj moje wiadomości\" tutaj.";
  t.submit = "Zapisz mnie";
  t.noThanks = "Nie, dziękuję";
  t.chooseOne = "Zaznacz co najmniej jedną opcję lub dotknij \"Nie, dziękuję\".";
  t.codeTitle = "Wysłaliśmy kod SMS-em na numer {phone}";
  t.codeHint = "Wpisz 6-cyfrowy kod lub odpowiedz później na SMS-a tym kodem.";
  t.confirm = "Potwierdź";
  t.replyInstead = "Odpowiem SMS-em";
  t.wrongCode = "Ten kod jest nieprawidłowy. Pozostało prób: {left}.";
  t.codeBlocked = "Zbyt wiele błędnych kodów. Zacznij od nowa.";
  t.doneConfirmed = "Dziękujemy! Jesteś zapisany(-a).";
  t.donePending = "Dziękujemy! Odpowiedz na naszego SMS-a kodem, aby potwierdzić. Nic nie zostanie wysłane wcześniej.";
  t.finish = "Zakończ";
  t.withdrawTitle = "Zatrzymać oferty tego sklepu na ten numer?";
  t.withdrawConfirm = "Zatrzymaj oferty";
  t.withdrawDone = "Gotowe. Jeśli ten numer był zapisany, nie otrzyma już ofert tego sklepu. Alerty miasta: skontaktuj się z urzędem.";
  t.stillThere = "Czy nadal tu jesteś?";
  t.keepGoing = "Kontynuuj";
  t.clearingIn = "Wszystko, co wpisano, zostanie usunięte za {seconds} s.";
  t.adminTitle = "Ustawienia kiosku";
  t.adminPin = "PIN personelu";
  t.exitApp = "Zamknij kiosk";
  t.wrongPin = "Błędny PIN.";
  t.exitLocked = "Kiosk uruchomiono bez --allow-exit: nie można go stąd zamknąć.";
  t.serviceError = "Przepraszamy, wystąpił błąd. Poproś o pomoc personel.";
  t.largeText = "A+ Większy tekst";
  t.normalText = "A- Zwykły tekst";
  t.notInService = "Ten kiosk nie jest jeszcze czynny.";
  t.pairKiosk = "Połącz z urządzeniem";
  t.pairTitle = "Kod parowania";
  t.pairHint = "Kod od administratora urządzenia (tocsinctl kiosk add)";
  t.paired = "Połączono. Kiosk się uruchamia.";
  t.pairRefused = "Odmowa: kod jest błędny, użyty lub wygasł.";
  t.unreachable = "Brak połączenia z urządzeniem. Sprawdź sieć i spróbuj ponownie.";
  return t;
}

}  // namespace

const std::vector<Language>& languages() {
  static const std::vector<Language> kLanguages = {
      {"en", "English"}, {"fr", "Français"}, {"it", "Italiano"}, {"pl", "Polski"}};
  return kLanguages;
}

bool isKioskLanguage(const std::string& code) {
  for (const auto& l : languages())
    if (l.code == code) return true;
  return false;
}

const UiText& uiText(const std::string& language) {
  static const std::map<std::string, UiText> kTexts = {
      {"en", english()}, {"fr", french()}, {"it", italian()}, {"pl", polish()}};
  auto it = kTexts.find(language);
  return it == kTexts.end() ? kTexts.at("en") : it->second;
}

std::string fill(std::string text, const std::map<std::string, std::string>& values) {
  for (const auto& [key, value] : values) {
    const std::string token = "{" + key + "}";
    for (size_t at = text.find(token); at != std::string::npos; at = text.find(token, at + value.size()))
      text.replace(at, token.size(), value);
  }
  return text;
}

std::vector<Country> countries(const std::string& defaultRegion) {
  std::vector<Country> all = {{"FR", "+33"}, {"BE", "+32"}, {"CH", "+41"}, {"IT", "+39"}, {"PL", "+48"},
                              {"GB", "+44"}, {"DE", "+49"}, {"ES", "+34"}, {"PT", "+351"}, {"US", "+1"}};
  std::stable_partition(all.begin(), all.end(), [&](const Country& c) { return c.region == defaultRegion; });
  return all;
}

std::string callingCode(const std::string& region) {
  for (const auto& c : countries(region))
    if (c.region == region) return c.callingCode;
  return "";
}

}  // namespace tocsin::kiosk
