"""The resources' own policies hold where a role's IAM policy is too wide: a function role granted
kms:Decrypt or s3:GetObject by mistake is still refused by the key's policy and the claim-check
bucket's, which name only the declared roles. (MiniStack under AUTH=true evaluates both for an
assumed role; its root credentials, the tests' own, bypass them, and it reads aws:PrincipalArn as the
role's session: see pizza_ops.deploy.buckets.ministack_bucket_policy.)"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from botocore.exceptions import ClientError
from integration_support import AwsClients, new_id

from pizza_ops.stack import EmbeddedStack, emulator_credentials_session

# The roles these tests widen: neither is declared on the key or on delivery details.
NOT_A_READER = "loyalty-processor"
NOT_A_KEY_USER = "kitchen-processor"


@contextmanager
def role_also_allowed(
    stack: EmbeddedStack, aws: AwsClients, function: str, action: str, resource: str
) -> Iterator[None]:
    """The function's role given one more IAM grant for the body's length (an administrator's mistake)."""
    session = emulator_credentials_session(stack.config.region)
    iam = session.client("iam", endpoint_url=stack.emulator.endpoint, region_name=stack.config.region)
    role = aws.lambda_.get_function_configuration(FunctionName=aws.outputs.function_names[function])["Role"]
    role_name, policy_name = role.rsplit("/", 1)[-1], "too-wide-for-a-test"
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]}
    iam.put_role_policy(RoleName=role_name, PolicyName=policy_name, PolicyDocument=json.dumps(document))
    try:
        yield
    finally:
        iam.delete_role_policy(RoleName=role_name, PolicyName=policy_name)


def _error_code(call: Callable[[], object]) -> str:
    with pytest.raises(ClientError) as refused:
        call()
    return str(refused.value.response["Error"]["Code"])


def test_a_role_not_declared_as_reader_is_refused_delivery_details_even_when_iam_allows_it(
    stack: EmbeddedStack, aws: AwsClients
) -> None:
    # Given an object under restricted/delivery/, written by a declared writer
    bucket = aws.outputs.bucket_names["claim-checks"]
    key = f"restricted/delivery/{new_id('policy-test')}.json"
    aws.as_function_role("order-acknowledgement-processor", "s3").put_object(Bucket=bucket, Key=key, Body=b"{}")

    # When loyalty's role, allowed s3:GetObject on every object by IAM, gets it
    with role_also_allowed(stack, aws, NOT_A_READER, "s3:GetObject", f"arn:aws:s3:::{bucket}/*"):
        code = _error_code(lambda: aws.as_function_role(NOT_A_READER, "s3").get_object(Bucket=bucket, Key=key))

    # Then the bucket refuses it; delivery, its declared reader, gets it
    assert code in ("AccessDenied", "403")
    assert aws.as_function_role("delivery-processor", "s3").get_object(Bucket=bucket, Key=key)["Body"].read() == b"{}"


def test_a_role_not_declared_as_writer_is_refused_a_put_even_when_iam_allows_it(
    stack: EmbeddedStack, aws: AwsClients
) -> None:
    # Given delivery, a reader of shared claims but no writer, allowed s3:PutObject on everything by IAM
    bucket = aws.outputs.bucket_names["claim-checks"]
    with role_also_allowed(stack, aws, "delivery-processor", "s3:PutObject", f"arn:aws:s3:::{bucket}/*"):
        # When it puts a shared claim
        s3 = aws.as_function_role("delivery-processor", "s3")
        code = _error_code(lambda: s3.put_object(Bucket=bucket, Key=f"shared/{new_id('forged')}.json", Body=b"{}"))

    # Then the bucket refuses it
    assert code in ("AccessDenied", "403")


def test_a_role_not_declared_on_a_key_is_refused_by_the_key_even_when_iam_allows_it(
    stack: EmbeddedStack, aws: AwsClients
) -> None:
    # Given a delivery address encrypted by a declared encrypter
    key_arn = aws.outputs.key_arns["order-pii"]
    ciphertext = aws.as_function_role("order-saga", "kms").encrypt(KeyId=key_arn, Plaintext=b"1 Secret Road")[
        "CiphertextBlob"
    ]

    # When the kitchen's role, allowed kms:Decrypt and kms:Encrypt on the key by IAM, uses it
    with role_also_allowed(stack, aws, NOT_A_KEY_USER, "kms:*", key_arn):
        kms = aws.as_function_role(NOT_A_KEY_USER, "kms")
        decrypt = _error_code(lambda: kms.decrypt(CiphertextBlob=ciphertext, KeyId=key_arn))
        encrypt = _error_code(lambda: kms.encrypt(KeyId=key_arn, Plaintext=b"x"))

    # Then the key refuses both; delivery, its declared decrypter, reads it
    assert decrypt == encrypt == "AccessDeniedException"
    plaintext = aws.as_function_role("delivery-processor", "kms").decrypt(CiphertextBlob=ciphertext, KeyId=key_arn)
    assert plaintext["Plaintext"] == b"1 Secret Road"


def test_a_declared_user_may_do_only_its_own_operations_with_a_key(stack: EmbeddedStack, aws: AwsClients) -> None:
    # Given the connection handler, declared to verify watch tokens, allowed to make them too by IAM
    key_arn = aws.outputs.key_arns["watch-tokens"]
    with role_also_allowed(stack, aws, "order-updates-connections", "kms:GenerateMac", key_arn):
        kms = aws.as_function_role("order-updates-connections", "kms")
        # When it makes a token's MAC
        code = _error_code(lambda: kms.generate_mac(KeyId=key_arn, Message=b"c-1", MacAlgorithm="HMAC_SHA_256"))

    # Then the key refuses it: only the order API makes watch tokens
    assert code == "AccessDeniedException"
    made = aws.as_function_role("order-api", "kms").generate_mac(
        KeyId=key_arn, Message=b"c-1", MacAlgorithm="HMAC_SHA_256"
    )
    assert made["Mac"]
