#!/bin/sh
# A shop's two main calls with curl: a campaign to a list, then a transactional message.
#   TOCSIN_URL=https://alerts.example TOCSIN_TOKEN=... [TOCSIN_CA=cert.pem] sh campaign.sh
set -eu
ca=${TOCSIN_CA:+--cacert "$TOCSIN_CA"}

# A campaign to the shop's "regulars" list (people with confirmed consent only; STOP footer added).
curl -sS --fail-with-body $ca -X POST "$TOCSIN_URL/v1/campaigns" \
  -H "Authorization: Bearer $TOCSIN_TOKEN" -H "Content-Type: application/json" \
  -H "Idempotency-Key: curl-campaign-1" \
  -d '{"title": "Winter menu", "texts": [{"language": "fr", "text": "Bonjour {name|}, le menu d hiver est arrive (curl)."}],
       "area": {"lists": ["regulars"]}}'
echo

# A transactional message: one number, fields filled in, declared free of promotion.
curl -sS --fail-with-body $ca -X POST "$TOCSIN_URL/v1/messages" \
  -H "Authorization: Bearer $TOCSIN_TOKEN" -H "Content-Type: application/json" \
  -H "Idempotency-Key: curl-order-1" \
  -d '{"to": "+33612000501", "text": "Votre commande {order} est prete (curl).", "fields": {"order": "C-1"},
       "no_promotion": true}'
echo
