#!/usr/bin/env bash
# Deploy one stage of claimgate to the AWS account of the current credentials.
#   make deploy STAGE=dev ALARM_TOPIC_ARN=arn:aws:sns:... DEPLOY_BUCKET=my-artifacts-bucket
# 1. the plan (infra/plan.py): the stage's whole template, built offline and cfn-lint clean;
# 2. `aws cloudformation package`: the deployment package to DEPLOY_BUCKET (any bucket of
#    yours in the region that holds build artifacts);
# 3. `aws cloudformation deploy`: one stack per stage, `claimgate-STAGE`. A failed update
#    rolls back by itself; to go back to an earlier version, deploy that commit again.
set -euo pipefail
cd "$(dirname "$0")/.."
stage="${1:?usage: infra/deploy.sh STAGE}"
: "${ALARM_TOPIC_ARN:?set ALARM_TOPIC_ARN: the SNS topic the stage's alarms notify}"
: "${DEPLOY_BUCKET:?set DEPLOY_BUCKET: an S3 bucket for the deployment package}"
command -v aws >/dev/null || { echo "the AWS CLI (aws) is needed to deploy" >&2; exit 1; }
.venv/bin/python -m infra.plan "$stage"
aws cloudformation package --template-file "build/$stage/sam.json" \
    --s3-bucket "$DEPLOY_BUCKET" --s3-prefix "claimgate/$stage" \
    --output-template-file "build/$stage/packaged.yaml"
aws cloudformation deploy --template-file "build/$stage/packaged.yaml" \
    --stack-name "claimgate-$stage" \
    --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND \
    --parameter-overrides "AlarmTopicArn=$ALARM_TOPIC_ARN" \
    ${ARCHIVE_RETENTION_DAYS:+"ArchiveRetentionDays=$ARCHIVE_RETENTION_DAYS"} \
    ${LOG_RETENTION_DAYS:+"LogRetentionDays=$LOG_RETENTION_DAYS"} \
    --no-fail-on-empty-changeset
aws cloudformation describe-stacks --stack-name "claimgate-$stage" \
    --query 'Stacks[0].Outputs' --output table
