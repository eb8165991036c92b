#!/usr/bin/env bash
# Deploy claimgate to the AWS account of the current credentials.
#   infra/deploy.sh [stage]     (default stage: dev)
# 1. the resources Chalice does not create (tables, archive bucket, follow-up queue, alarms);
# 2. the app (API, authorizing middleware, schedules, SQS worker) with `chalice deploy`;
# 3. partial batch responses on the follow-up worker's SQS mapping (Chalice does not set it);
# 4. API Gateway's own answers in the API's error shape: an unknown route is 404 not_found
#    (API Gateway says 403 "Missing Authentication Token"), other 4xx/5xx carry the shape too.
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
api_id=$(aws apigateway get-rest-apis --query "items[?name=='claimgate'].id | [0]" --output text)
shape() {  # $1 code, $2 message: the body of chalicelib.api.http.error_response
    printf '{"application/json": "{\\"message\\": \\"%s\\", \\"errors\\": [{\\"field\\": null, \\"code\\": \\"%s\\", \\"message\\": \\"%s\\", \\"severity\\": \\"error\\"}]}"}' "$2" "$1" "$2"
}
aws apigateway put-gateway-response --rest-api-id "$api_id" \
    --response-type MISSING_AUTHENTICATION_TOKEN --status-code 404 \
    --response-templates "$(shape not_found 'no such route: see GET /v1/openapi.json')" >/dev/null
aws apigateway put-gateway-response --rest-api-id "$api_id" --response-type DEFAULT_4XX \
    --response-templates "$(shape bad_request 'the request was refused')" >/dev/null
aws apigateway put-gateway-response --rest-api-id "$api_id" --response-type DEFAULT_5XX \
    --response-templates "$(shape internal_error 'internal error')" >/dev/null
aws apigateway create-deployment --rest-api-id "$api_id" --stage-name api >/dev/null
echo "deployed stage $stage"
