# What each application may do (task roles). Least privilege: named actions on named resources,
# never a wildcard action; tests/unit/infra pins these lists. Execution roles (image pull, logs)
# are in modules/service; the scheduler's role is in modules/scheduled_task.

# api: reads readings and summaries, creates and reads jobs, enqueues exports, presigns downloads.
data "aws_iam_policy_document" "api" {
  statement {
    sid     = "ReadReadingsAndSummaries"
    actions = ["dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:Query"]
    resources = [
      module.data.readings_table_arn,
      module.data.readings_by_sensor_index_arn,
      module.data.daily_table_arn,
    ]
  }

  statement {
    sid       = "ManageJobs"
    actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
    resources = [module.data.jobs_table_arn]
  }

  statement {
    sid       = "EnqueueExports"
    actions   = ["sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage"]
    resources = [module.data.exports_queue_arn]
  }

  statement {
    sid       = "PresignExportDownloads"
    actions   = ["s3:GetObject"]
    resources = ["${module.data.exports_bucket_arn}/*"]
  }

  statement {
    sid = "ReadinessHeadBucket"
    # /readyz calls HeadBucket, which S3 authorises as s3:ListBucket on the bucket itself.
    actions   = ["s3:ListBucket"]
    resources = [module.data.exports_bucket_arn]
  }
}

# worker: reads readings and summaries, updates jobs, consumes the queue (and watches the DLQ),
# writes export files.
data "aws_iam_policy_document" "worker" {
  statement {
    sid     = "ReadReadingsAndSummaries"
    actions = ["dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:Query"]
    resources = [
      module.data.readings_table_arn,
      module.data.readings_by_sensor_index_arn,
      module.data.daily_table_arn,
    ]
  }

  statement {
    sid       = "ManageJobs"
    actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
    resources = [module.data.jobs_table_arn]
  }

  statement {
    sid = "ConsumeExports"
    actions = [
      "sqs:ChangeMessageVisibility",
      "sqs:DeleteMessage",
      "sqs:GetQueueAttributes",
      "sqs:GetQueueUrl",
      "sqs:ReceiveMessage",
    ]
    resources = [module.data.exports_queue_arn]
  }

  statement {
    sid = "SweepDeadLetters"
    # The worker reads the DLQ's depth and peeks at its messages (visibility 0, never deleted) to
    # fail jobs whose worker died on the last attempt.
    actions   = ["sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ReceiveMessage"]
    resources = [module.data.exports_dlq_arn]
  }

  statement {
    sid = "WriteExportFiles"
    actions = [
      "s3:AbortMultipartUpload",
      "s3:GetObject",
      "s3:ListMultipartUploadParts",
      "s3:PutObject",
    ]
    resources = ["${module.data.exports_bucket_arn}/*"]
  }
}

# ingest: writes readings and summaries (recomputing summaries by Query), publishes its metrics.
data "aws_iam_policy_document" "ingest" {
  statement {
    sid = "WriteReadingsAndSummaries"
    actions = [
      "dynamodb:BatchWriteItem",
      "dynamodb:DescribeTable",
      "dynamodb:PutItem",
      "dynamodb:Query",
    ]
    resources = [module.data.readings_table_arn, module.data.daily_table_arn]
  }

  statement {
    sid     = "PublishIngestMetrics"
    actions = ["cloudwatch:PutMetricData"]
    # PutMetricData has no resource-level permissions; the namespace condition scopes it instead.
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "cloudwatch:namespace"
      values   = [var.metrics_namespace]
    }
  }
}
