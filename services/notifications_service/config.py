"""The notifications service's settings, validated at cold start."""

from __future__ import annotations

from pydantic import Field

from integration_patterns.subscriber_runtime import SubscriberSettings


class NotificationsSettings(SubscriberSettings):
    notifications_table_name: str = Field(min_length=1)
    customer_contacts_table_name: str = Field(min_length=1)
