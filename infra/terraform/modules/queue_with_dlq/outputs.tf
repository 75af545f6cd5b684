output "url" {
  value = module.queue.url
}

output "arn" {
  value = module.queue.arn
}

output "name" {
  value = module.queue.name
}

output "fifo" {
  value = module.queue.fifo
}

output "dlq_url" {
  value = module.dead_letter.url
}

output "dlq_arn" {
  value = module.dead_letter.arn
}

output "dlq_name" {
  value = module.dead_letter.name
}
