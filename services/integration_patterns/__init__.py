"""Integration-pattern mechanics shared by every service.

Nothing in this package knows about pizzas: it holds the CloudEvents envelope, trace-context
propagation, SQS batch consumption with partial failures and dead-lettering, message sending,
conditional "create once" writes, DLQ redrive and cold-start configuration.
"""
