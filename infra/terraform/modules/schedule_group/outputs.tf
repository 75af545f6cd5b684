output "name" {
  value = aws_scheduler_schedule_group.this.name
}

output "arn" {
  value = aws_scheduler_schedule_group.this.arn
}

output "schedules_arn" {
  description = "Every schedule of this group: arn:...:schedule/<group>/*."
  value       = "${replace(aws_scheduler_schedule_group.this.arn, ":schedule-group/", ":schedule/")}/*"
}

output "role_arn" {
  description = "The role schedules of this group run as (their target's RoleArn)."
  value       = aws_iam_role.scheduler.arn
}
