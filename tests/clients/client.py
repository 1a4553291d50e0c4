"""A shop's two main calls with Python's standard library: a campaign, then a transactional message.

    TOCSIN_URL=https://alerts.example TOCSIN_TOKEN=... [TOCSIN_CA=cert.pem] python3 client.py
"""
import json
import os
import ssl
import urllib.error
import urllib.request

URL = os.environ["TOCSIN_URL"]
TOKEN = os.environ["TOCSIN_TOKEN"]
CONTEXT = ssl.create_default_context(cafile=os.environ.get("TOCSIN_CA"))


def post(path, body, key):
    request = urllib.request.Request(
        URL + path, data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": "Bearer " + TOKEN, "Content-Type": "application/json", "Idempotency-Key": key})
    try:
        with urllib.request.urlopen(request, context=CONTEXT) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:  # the API says what was wrong, and with which field
        raise SystemExit(f"{path}: {error.code} {error.read().decode()}")


campaign = post("/v1/campaigns", {
    "title": "Winter menu",
    "texts": [{"language": "fr", "text": "Bonjour {name|}, le menu d hiver est arrive (python)."}],
    "area": {"lists": ["regulars"]},
}, "python-campaign-1")
print("campaign", campaign["id"], campaign["state"])

message = post("/v1/messages", {
    "to": "+33612000501",
    "text": "Votre commande {order} est prete (python).",
    "fields": {"order": "P-1"},
    "no_promotion": True,
}, "python-order-1")
print("message", message["id"], message["state"])
