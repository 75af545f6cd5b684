"""The loyalty processor: settings, adapters built once per cold start, and its Lambda entry point."""

from __future__ import annotations

from integration_patterns.consumer import SpanFacts
from integration_patterns.consumer_runtime import InboxSettings, inboxed_consumer
from integration_patterns.runtime import Entrypoint, Runtime, lambda_handler, utc_now
from loyalty_service.domain import AwardPoints
from loyalty_service.dynamodb_loyalty_accounts import DynamoDbLoyaltyAccounts
from loyalty_service.order_confirmed_translator import ORDER_CONFIRMED_TRANSLATION
from loyalty_service.use_cases import award_points


class LoyaltySettings(InboxSettings):
    loyalty_accounts_table_name: str


def wire(runtime: Runtime[LoyaltySettings]) -> Entrypoint:
    accounts = DynamoDbLoyaltyAccounts(runtime.client("dynamodb"), runtime.settings.loyalty_accounts_table_name)

    def award(command: AwardPoints) -> SpanFacts:
        result = award_points(command, accounts, utc_now)
        # already_awarded is a success: another event about the same order got there first.
        return {"loyalty.points": result.points, "loyalty.award_outcome": result.outcome.value}

    return inboxed_consumer(runtime, ORDER_CONFIRMED_TRANSLATION, award).process


handler = lambda_handler(LoyaltySettings, wire)
