"""Integration-pattern mechanics shared by every service.

Nothing in this package knows about pizzas: it holds the CloudEvents envelope, trace-context
propagation, the one CloudEvent consumer (SQS batches with partial failures, inbox, dead-lettering),
the Lambda entry point it builds, the outbox, publish/subscribe, one-time schedules, field
encryption, conditional "create once" writes, idempotent requests and cold-start configuration.
"""
