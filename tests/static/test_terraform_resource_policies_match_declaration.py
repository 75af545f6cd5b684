"""Terraform's key policies and the claim-check bucket's policy name exactly the declared roles:
a key's users with their own operations, a prefix's readers and writers (the embedded deployer
derives its policies from the same declaration, pizza_ops.deploy.resource_policies)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from drift_support import (
    assert_reported_when_declaration_changes,
    assert_reported_when_terraform_changes,
    with_module_changed,
)

from pizza_ops.deploy.resource_policies import KEY_ADMINISTRATION
from pizza_ops.system import SystemDeclaration
from pizza_ops.terraform_drift import Terraform, building_block, key_block_drift, root_module


def _users(tf: Terraform, label: str) -> list[dict[str, Any]]:
    return list(tf.modules[label]["users"])


def _kitchen_may_decrypt(tf: Terraform) -> Terraform:
    extra = {
        "sid": "KitchenProcessorDecrypt",
        "role_arn": "${module.kitchen_processor_function.role_arn}",
        "actions": "${local.kms_decrypt_actions}",
    }
    return with_module_changed(tf, "order_pii_key", users=[*_users(tf, "order_pii_key"), extra])


def _delivery_may_not_decrypt(tf: Terraform) -> Terraform:
    users = [u for u in _users(tf, "order_pii_key") if u["sid"] != "DeliveryProcessorDecrypt"]
    return with_module_changed(tf, "order_pii_key", users=users)


def _connections_may_sign(tf: Terraform) -> Terraform:
    users = [
        {**u, "actions": "${local.kms_mac_sign_actions}"} if u["sid"] == "OrderUpdatesConnectionsVerify" else u
        for u in _users(tf, "watch_tokens_key")
    ]
    return with_module_changed(tf, "watch_tokens_key", users=users)


def _loyalty_reads_delivery_details(tf: Terraform) -> Terraform:
    access = [
        {**a, "role_arns": [*a["role_arns"], "${module.loyalty_processor_function.role_arn}"]}
        if a["sid"] == "RestrictedDeliveryGetObject"
        else a
        for a in tf.modules["claim_checks_bucket"]["object_access"]
    ]
    return with_module_changed(tf, "claim_checks_bucket", object_access=access)


def _no_bucket_policy(tf: Terraform) -> Terraform:
    return with_module_changed(tf, "claim_checks_bucket", object_access=[])


@pytest.mark.parametrize(
    ("change", "reported"),
    [
        (_kitchen_may_decrypt, "KMS key 'order-pii': key policy lets ('kitchen-processor', 'decrypt') use it"),
        (_delivery_may_not_decrypt, "KMS key 'order-pii': declared user ('delivery-processor', 'decrypt') is not"),
        (_connections_may_sign, "KMS key 'watch-tokens': key policy lets ('order-updates-connections', 'sign')"),
        (
            _loyalty_reads_delivery_details,
            "bucket 'claim-checks': roles allowed ('restricted/delivery/', 's3:GetObject') is ['delivery-processor', "
            "'loyalty-processor'] in Terraform but ['delivery-processor']",
        ),
        (_no_bucket_policy, "bucket 'claim-checks': roles allowed ('shared/', 's3:PutObject') is [] in Terraform"),
    ],
)
def test_a_resource_policy_changed_in_terraform_alone_is_reported(
    change: Callable[[Terraform], Terraform], reported: str
) -> None:
    # Given Terraform's resource policies changed without the declaration / Then the change is reported
    assert_reported_when_terraform_changes(change, reported)


def _delivery_also_reads_with_order_api(system: SystemDeclaration) -> SystemDeclaration:
    api = system.functions["order-api"]
    extra = api.permissions[0].model_copy(
        update={"table": None, "bucket": "claim-checks", "access": "read", "prefix": "restricted/delivery/"}
    )
    changed = api.model_copy(update={"permissions": [*api.permissions, extra]})
    return system.model_copy(update={"functions": {**system.functions, "order-api": changed}})


def test_a_reader_declared_alone_is_reported_missing_from_the_bucket_policy() -> None:
    # Given the order API declared a reader of delivery details, Terraform unchanged / Then it is reported
    assert_reported_when_declaration_changes(
        _delivery_also_reads_with_order_api,
        "bucket 'claim-checks': roles allowed ('restricted/delivery/', 's3:GetObject') is ['delivery-processor'] in "
        "Terraform but ['delivery-processor', 'order-api']",
    )


def test_the_key_block_lets_the_account_administer_a_key_and_not_use_it() -> None:
    # Given the kms_key building block / Then its administration actions are the deployer's
    assert key_block_drift(building_block("kms_key")) == []
    # And a usage action added to them is reported
    block = building_block("kms_key")
    used = replace(block, locals={**block.locals, "administration_actions": [*KEY_ADMINISTRATION, "kms:Decrypt"]})
    assert key_block_drift(used) != []
    # And the module's key policy is made of those actions and the users' statements only
    policy = str(block.resources[("aws_kms_key_policy", "this")]["policy"])
    assert "local.administration_actions" in policy and "var.users" in policy
    assert root_module().modules["order_pii_key"]["users"]
