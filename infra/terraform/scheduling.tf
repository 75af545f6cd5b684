# EventBridge Scheduler: one-time schedules in this group may only send to the kitchen-alerts
# queue, through the group's own role, which the order service may pass and nothing else.
module "kitchen_alerts_schedule_group" {
  source           = "./modules/schedule_group"
  name_prefix      = var.name_prefix
  name             = "kitchen-alerts"
  target_queue_arn = module.kitchen_alerts_queue.arn
}
