#!/usr/bin/env bash
# Sends a request to Tourniquet's /slack/events signed the way Slack signs it (v0 HMAC-SHA256 of
# "v0:<timestamp>:<body>" with the app's signing secret), for trying the Slack surface without Slack.
#
#   SLACK_SIGNING_SECRET=... scripts/slack-sign.sh 'command=/tourniquet&text=help&user_id=U0ALICE&...'
#   SLACK_SIGNING_SECRET=... scripts/slack-sign.sh "payload=$(jq -sRr @uri < click.json)"
#
# BASE_URL defaults to http://127.0.0.1:8080. The body must already be form-encoded.
set -euo pipefail
body="${1:?usage: scripts/slack-sign.sh <form-encoded body>}"
secret="${SLACK_SIGNING_SECRET:?set SLACK_SIGNING_SECRET}"
timestamp="$(date +%s)"
signature="v0=$(printf 'v0:%s:%s' "$timestamp" "$body" | openssl dgst -sha256 -hmac "$secret" -r | cut -d' ' -f1)"
curl -sS -i "${BASE_URL:-http://127.0.0.1:8080}/slack/events" \
  -H 'content-type: application/x-www-form-urlencoded' \
  -H "x-slack-request-timestamp: ${timestamp}" \
  -H "x-slack-signature: ${signature}" \
  --data-raw "$body"
echo
