"""Secrets never sit in a setting: the webhook signing secrets and the watch tokens' signatures are
made by KMS HMAC keys that never leave KMS, by the functions allowed to, and nothing secret is in any
deployed function's environment.

What is tried: every deployed function's environment scanned by detect-secrets (tests/secret_scan.py;
the declaration and Terraform are scanned in tests/static); each HMAC key described; and every
function's own role asking KMS for a MAC with each HMAC key, the way a stolen role would mint a
webhook secret or a watch token.
"""

from __future__ import annotations

from botocore.exceptions import ClientError
from integration_support import AwsClients

from pizza_ops.system import load_system
from secret_scan import secrets_in_settings

SYSTEM = load_system()
MINTING_ACCESS = {"sign", "derive"}


def test_no_deployed_function_holds_a_secret_in_its_settings(aws: AwsClients) -> None:
    # Given every deployed function's environment, as the emulator runs it
    environments = {
        function: aws.lambda_.get_function_configuration(FunctionName=name)["Environment"]["Variables"]
        for function, name in aws.outputs.function_names.items()
    }
    assert set(environments) == set(SYSTEM.functions)

    # When each is scanned for likely secrets
    found = secrets_in_settings(environments)

    # Then none holds one: the functions name their keys, never hold them
    assert found == []


def _minters(key: str) -> set[str]:
    return {
        function
        for function, declared in SYSTEM.functions.items()
        for permission in declared.permissions
        if permission.kind == "key" and permission.name == key and permission.access in MINTING_ACCESS
    }


def _may_make_a_mac(aws: AwsClients, function: str, key_arn: str) -> bool:
    kms = aws.as_function_role(function, "kms")
    try:
        kms.generate_mac(KeyId=key_arn, Message=b"order-1", MacAlgorithm="HMAC_SHA_256")
    except ClientError as error:
        assert error.response["Error"]["Code"] == "AccessDeniedException", error.response
        return False
    return True


def test_only_the_functions_declared_to_make_secrets_may_have_kms_make_one(aws: AwsClients) -> None:
    hmac_keys = [name for name, key in SYSTEM.kms_keys.items() if key.usage == "hmac"]
    assert hmac_keys == ["watch-tokens", "webhook-secrets"]
    for key in hmac_keys:
        # Given an HMAC key of the stack, whose material KMS never hands out
        key_arn = aws.outputs.key_arns[key]
        described = aws.kms.describe_key(KeyId=key_arn)["KeyMetadata"]
        assert (described["KeySpec"], described["KeyUsage"]) == ("HMAC_256", "GENERATE_VERIFY_MAC")

        # When every function's own role asks KMS for a MAC with it
        allowed = {function for function in SYSTEM.functions if _may_make_a_mac(aws, function, key_arn)}

        # Then exactly the functions declared to sign or derive with it get one: the order API (watch
        # tokens, webhook secrets) and the webhook dispatcher (webhook secrets), no other
        assert allowed == _minters(key), key
    assert _minters("webhook-secrets") == {"order-api", "order-webhook-dispatcher"}
    assert _minters("watch-tokens") == {"order-api"}
