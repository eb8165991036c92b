#!/usr/bin/env bash
# Deploy claimgate to the AWS account of the current credentials.
#   infra/deploy.sh [stage]     (default stage: dev)
# 1. the resources Chalice does not create (tables, archive bucket, follow-up queue, alarms);
# 2. the app (API, authorizing middleware, schedules, SQS worker) with `chalice deploy`;
# 3. partial batch responses on the follow-up worker's SQS mapping (Chalice does not set it);
# 4. API Gateway's own answers in the API's error shape (infra/gateway_responses.py): an
#    unknown route is 404 not_found (API Gateway says 403 "Missing Authentication Token"),
#    other 4xx/5xx it makes itself carry the shape too.
set -euo pipefail
cd "$(dirname "$0")/.."
stage="${1:-dev}"
: "${CLAIMGATE_CURSOR_SECRET:?set CLAIMGATE_CURSOR_SECRET for the stage}"
aws cloudformation deploy --stack-name "claimgate-resources-$stage" \
    --template-file infra/claimgate-resources.json
.venv/bin/chalice deploy --stage "$stage"
function_name="claimgate-$stage-claim-followups-worker"
mapping=$(aws lambda list-event-source-mappings --function-name "$function_name" \
    --query 'EventSourceMappings[0].UUID' --output text)
aws lambda update-event-source-mapping --uuid "$mapping" \
    --function-response-types ReportBatchItemFailures >/dev/null
# The stage's own API (from .chalice/deployed/$stage.json, not the first API named claimgate).
.venv/bin/python -m infra.gateway_responses "$stage"
echo "deployed stage $stage"
