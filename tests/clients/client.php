<?php
// A shop's two main calls with PHP's streams: a campaign, then a transactional message.
//   TOCSIN_URL=https://alerts.example TOCSIN_TOKEN=... [TOCSIN_CA=cert.pem] php client.php

function post(string $path, array $body, string $key): array {
    $ssl = ['verify_peer' => true];
    if (getenv('TOCSIN_CA')) $ssl['cafile'] = getenv('TOCSIN_CA');
    $context = stream_context_create([
        'http' => [
            'method' => 'POST',
            'header' => "Authorization: Bearer " . getenv('TOCSIN_TOKEN') . "\r\nContent-Type: application/json\r\n"
                      . "Idempotency-Key: $key\r\n",
            'content' => json_encode($body),
            'ignore_errors' => true,
        ],
        'ssl' => $ssl,
    ]);
    $answer = file_get_contents(getenv('TOCSIN_URL') . $path, false, $context);
    $status = (int) explode(' ', $http_response_header[0])[1];
    if ($status >= 300) { fwrite(STDERR, "$path: $status $answer\n"); exit(1); }
    return json_decode($answer, true);
}

$campaign = post('/v1/campaigns', [
    'title' => 'Winter menu',
    'texts' => [['language' => 'fr', 'text' => 'Bonjour {name|}, le menu d hiver est arrive (php).']],
    'area' => ['lists' => ['regulars']],
], 'php-campaign-1');
echo "campaign {$campaign['id']} {$campaign['state']}\n";

$message = post('/v1/messages', [
    'to' => '+33612000501',
    'text' => 'Votre commande {order} est prete (php).',
    'fields' => ['order' => 'H-1'],
    'no_promotion' => true,
], 'php-order-1');
echo "message {$message['id']} {$message['state']}\n";
