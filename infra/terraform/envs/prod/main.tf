# airq on AWS: ECS on EC2 behind an ALB, DynamoDB, SQS + DLQ, S3, scheduled ingest, dashboards.
# See ../../README.md for the deployment steps, the network trade-off and the cost model.

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

locals {
  name       = var.name_prefix
  region     = data.aws_region.current.name
  account_id = data.aws_caller_identity.current.account_id

  repositories = {
    ingest = "${local.name}-ingest"
    api    = "${local.name}-api"
    worker = "${local.name}-worker"
    web    = "${local.name}-web"
  }
  images = { for service, repository in local.repositories : service => "${module.ecr.repository_urls[repository]}:${var.image_tag}" }

  availability_zones = coalesce(var.availability_zones, ["${local.region}a", "${local.region}b"])

  exports_bucket_name = coalesce(var.exports_bucket_name, "${local.name}-exports-${local.account_id}-${local.region}")

  # AIRQ_* names are airq.config.Settings fields (the worker's also its AIRQ_WORKER_* options, web's
  # those its Dockerfile declares); tests/unit/infra checks them.
  # No AWS_ENDPOINT_URL*: on AWS the SDK's default endpoints are the right ones.
  common_environment = {
    AWS_REGION          = local.region
    AWS_DEFAULT_REGION  = local.region
    AIRQ_READINGS_TABLE = module.data.readings_table_name
    AIRQ_DAILY_TABLE    = module.data.daily_table_name
    AIRQ_JOBS_TABLE     = module.data.jobs_table_name
    AIRQ_EXPORTS_QUEUE  = module.data.exports_queue_name
    AIRQ_EXPORTS_DLQ    = module.data.exports_dlq_name
    AIRQ_EXPORTS_BUCKET = module.data.exports_bucket_name
    AIRQ_RETENTION_DAYS = tostring(var.retention_days)
    AIRQ_LOG_LEVEL      = var.log_level
  }

  environment = {
    api = merge(local.common_environment, {
      AIRQ_TRUSTED_PROXY_HOPS = "1" # the ALB: believe the client address it appends
    }, lookup(var.extra_environment, "api", {}))
    worker = merge(local.common_environment, {
      AIRQ_METRICS_PORT              = "9101"
      AIRQ_WORKER_MAX_RECEIVES       = tostring(var.worker_max_receives)
      AIRQ_WORKER_VISIBILITY_TIMEOUT = tostring(var.worker_visibility_timeout)
      # ECS waits 120 s after SIGTERM (stop_timeout); minus the 20 s long poll and a margin.
      AIRQ_WORKER_GRACE_SECONDS = "90"
    }, lookup(var.extra_environment, "worker", {}))
    ingest = merge(local.common_environment, {
      AIRQ_CLOUDWATCH_NAMESPACE = var.metrics_namespace
    }, lookup(var.extra_environment, "ingest", {}))
    # The ALB routes /api/*, /healthz and /readyz to the api itself, so no request reaches nginx's
    # API proxy here; its upstream only has to resolve when nginx starts (there is no host `api`).
    web = merge({
      AIRQ_API_ADDRESS = "${module.alb.dns_name}:80"
    }, lookup(var.extra_environment, "web", {}))
  }

  on_demand = [{ capacity_provider = module.ecs_cluster.on_demand_capacity_provider, base = 0, weight = 1 }]
  # With Spot: the first worker stays on demand, every further one goes to Spot.
  worker_capacity = var.worker_use_spot ? [
    { capacity_provider = module.ecs_cluster.on_demand_capacity_provider, base = 1, weight = 0 },
    { capacity_provider = module.ecs_cluster.spot_capacity_provider, base = 0, weight = 1 },
  ] : local.on_demand
}

# ----------------------------------------------------------------------------------- foundations

module "network" {
  source = "../../modules/network"

  name                        = local.name
  cidr_block                  = var.vpc_cidr
  availability_zones          = local.availability_zones
  interface_endpoints         = var.interface_endpoints
  interface_endpoint_az_count = var.interface_endpoint_az_count
}

module "ecr" {
  source = "../../modules/ecr"

  repositories = values(local.repositories)
  force_delete = var.force_destroy
}

module "data" {
  source = "../../modules/data"

  readings_table_name        = "${local.name}-readings"
  daily_table_name           = "${local.name}-daily"
  jobs_table_name            = "${local.name}-jobs"
  billing_mode               = var.dynamodb_billing_mode
  point_in_time_recovery     = var.point_in_time_recovery
  deletion_protection        = var.deletion_protection
  exports_queue_name         = "${local.name}-exports"
  exports_dlq_name           = "${local.name}-exports-dlq"
  visibility_timeout_seconds = var.worker_visibility_timeout
  max_receive_count          = var.worker_max_receives
  exports_bucket_name        = local.exports_bucket_name
  exports_expiry_days        = var.exports_expiry_days
  force_destroy_bucket       = var.force_destroy
}

module "alb" {
  source = "../../modules/alb"

  name                = local.name
  vpc_id              = module.network.vpc_id
  vpc_cidr_block      = module.network.vpc_cidr_block
  subnet_ids          = module.network.public_subnet_ids
  ingress_cidrs       = var.alb_ingress_cidrs
  certificate_arn     = var.certificate_arn
  deletion_protection = var.deletion_protection
  web_port            = 8080
  api_port            = 8000
}

module "ecs_cluster" {
  source = "../../modules/ecs_cluster"

  name                  = local.name
  vpc_id                = module.network.vpc_id
  subnet_ids            = module.network.public_subnet_ids
  alb_security_group_id = module.alb.security_group_id
  instance_type         = var.instance_type
  cpu_architecture      = var.cpu_architecture
  min_size              = var.asg_min_size
  max_size              = var.asg_max_size
  root_volume_size      = var.root_volume_size
  spot_enabled          = var.worker_use_spot
  spot_instance_types   = var.spot_instance_types
  spot_max_size         = var.spot_max_size
  container_insights    = var.container_insights
}

# -------------------------------------------------------------------------------------- services

module "api" {
  source = "../../modules/service"

  name                       = "${local.name}-api"
  container_name             = "api"
  cluster_name               = module.ecs_cluster.cluster_name
  cluster_arn                = module.ecs_cluster.cluster_arn
  image                      = local.images.api
  repository_arn             = module.ecr.repository_arns[local.repositories.api]
  cpu_architecture           = var.cpu_architecture
  environment                = local.environment.api
  container_port             = 8000
  cpu                        = var.task_sizes.api.cpu
  memory                     = var.task_sizes.api.memory
  memory_reservation         = var.task_sizes.api.memory_reservation
  readonly_root_filesystem   = true
  tmpfs_mounts               = [{ path = "/tmp", size_mib = 64 }]
  stop_timeout               = 30
  log_retention_days         = var.log_retention_days
  task_role_policies         = { data-access = data.aws_iam_policy_document.api.json }
  capacity_provider_strategy = local.on_demand
  target_group_arn           = module.alb.api_target_group_arn
  min_count                  = var.api_min_count
  max_count                  = var.api_max_count
  target_tracking = var.api_scaling_metric == "cpu" ? {
    predefined_metric = "ECSServiceAverageCPUUtilization"
    target_value      = var.api_cpu_target
    resource_label    = null
    } : {
    predefined_metric = "ALBRequestCountPerTarget"
    target_value      = var.api_requests_target
    resource_label    = "${module.alb.arn_suffix}/${module.alb.api_target_group_arn_suffix}"
  }
}

module "web" {
  source = "../../modules/service"

  name                     = "${local.name}-web"
  container_name           = "web"
  cluster_name             = module.ecs_cluster.cluster_name
  cluster_arn              = module.ecs_cluster.cluster_arn
  image                    = local.images.web
  repository_arn           = module.ecr.repository_arns[local.repositories.web]
  cpu_architecture         = var.cpu_architecture
  environment              = local.environment.web
  container_port           = 8080
  cpu                      = var.task_sizes.web.cpu
  memory                   = var.task_sizes.web.memory
  memory_reservation       = var.task_sizes.web.memory_reservation
  readonly_root_filesystem = true
  # The image renders its config and keeps nginx's pid and temp files under /tmp/nginx.
  tmpfs_mounts               = [{ path = "/tmp", size_mib = 64 }]
  stop_timeout               = 10
  log_retention_days         = var.log_retention_days
  task_role_policies         = {}
  capacity_provider_strategy = local.on_demand
  target_group_arn           = module.alb.web_target_group_arn
  min_count                  = var.web_count
  max_count                  = var.web_count
}

module "worker" {
  source = "../../modules/service"

  name                     = "${local.name}-worker"
  container_name           = "worker"
  cluster_name             = module.ecs_cluster.cluster_name
  cluster_arn              = module.ecs_cluster.cluster_arn
  image                    = local.images.worker
  repository_arn           = module.ecr.repository_arns[local.repositories.worker]
  cpu_architecture         = var.cpu_architecture
  environment              = local.environment.worker
  container_port           = null # Prometheus on 9101 inside the task only; no HTTP traffic
  cpu                      = var.task_sizes.worker.cpu
  memory                   = var.task_sizes.worker.memory
  memory_reservation       = var.task_sizes.worker.memory_reservation
  readonly_root_filesystem = true
  tmpfs_mounts             = []
  scratch_paths            = ["/tmp"] # export spooling on disk, not in memory
  stop_timeout             = 120      # SIGTERM: finish or release the current export
  # The image's /healthz (metrics port) answers 503 when an export is stuck: ECS replaces the task.
  health_check_command = [
    "CMD", "python3", "-c",
    "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ['AIRQ_METRICS_PORT'], timeout=3)",
  ]
  log_retention_days         = var.log_retention_days
  task_role_policies         = { data-access = data.aws_iam_policy_document.worker.json }
  capacity_provider_strategy = local.worker_capacity
  min_count                  = var.worker_min_count
  max_count                  = var.worker_max_count
}

module "worker_scaling" {
  source = "../../modules/queue_scaling"

  name                        = "${local.name}-worker"
  scalable_target_resource_id = module.worker.scalable_target_resource_id
  scalable_target_dimension   = module.worker.scalable_target_dimension
  scalable_target_namespace   = module.worker.scalable_target_namespace
  queue_name                  = module.data.exports_queue_name
  high_threshold              = var.queue_high_threshold
  low_evaluation_minutes      = var.queue_scale_in_minutes
}

module "ingest" {
  source = "../../modules/service"

  name                       = "${local.name}-ingest"
  container_name             = "ingest"
  cluster_name               = module.ecs_cluster.cluster_name
  cluster_arn                = module.ecs_cluster.cluster_arn
  image                      = local.images.ingest
  repository_arn             = module.ecr.repository_arns[local.repositories.ingest]
  cpu_architecture           = var.cpu_architecture
  command                    = var.ingest_command
  environment                = local.environment.ingest
  cpu                        = var.task_sizes.ingest.cpu
  memory                     = var.task_sizes.ingest.memory
  memory_reservation         = var.task_sizes.ingest.memory_reservation
  readonly_root_filesystem   = true
  tmpfs_mounts               = []
  scratch_paths              = ["/tmp"]
  stop_timeout               = 60
  log_retention_days         = var.log_retention_days
  task_role_policies         = { data-access = data.aws_iam_policy_document.ingest.json }
  capacity_provider_strategy = local.on_demand
  create_service             = false # a one-shot task, run by the schedule below
}

module "ingest_schedule" {
  source = "../../modules/scheduled_task"

  name                       = "${local.name}-ingest"
  schedule_expression        = var.ingest_schedule
  enabled                    = var.ingest_enabled
  cluster_arn                = module.ecs_cluster.cluster_arn
  task_definition_arn        = module.ingest.task_definition_arn
  task_definition_family_arn = module.ingest.task_definition_arn_without_revision
  passed_role_arns           = [module.ingest.task_role_arn, module.ingest.execution_role_arn]
  capacity_provider          = module.ecs_cluster.on_demand_capacity_provider
}

# --------------------------------------------------------------------------------- observability

module "observability" {
  source = "../../modules/observability"

  name                        = local.name
  alb_arn_suffix              = module.alb.arn_suffix
  api_target_group_arn_suffix = module.alb.api_target_group_arn_suffix
  web_target_group_arn_suffix = module.alb.web_target_group_arn_suffix
  cluster_name                = module.ecs_cluster.cluster_name
  service_names = {
    api    = module.api.service_name
    web    = module.web.service_name
    worker = module.worker.service_name
  }
  asg_names                    = compact([module.ecs_cluster.on_demand_asg_name, module.ecs_cluster.spot_asg_name])
  exports_queue_name           = module.data.exports_queue_name
  exports_dlq_name             = module.data.exports_dlq_name
  table_names                  = module.data.table_names
  readings_table_name          = module.data.readings_table_name
  metrics_namespace            = var.metrics_namespace
  ingest_stale_hours           = var.ingest_stale_hours
  error_rate_threshold_percent = var.error_rate_threshold_percent
  alarm_emails                 = var.alarm_emails
  monthly_budget_usd           = var.monthly_budget_usd
  budget_cost_filter_tag       = var.budget_cost_filter_tag
}
