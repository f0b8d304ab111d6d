"""revoke: an AMI with copies in two regions of the home account and in a copy account."""
import datetime
import json

import pytest

from conftest import HOME, HOME_REGION, LOCATIONS

BASE = "/golden-ami/base"
LATEST, CANDIDATE, STAGING, PROD = (BASE + "/latest", BASE + "/candidate", BASE + "/staging", BASE + "/prod")
REVOKED = BASE + "/revoked"
REASON = "CVE-2024-6387 regreSSHion in openssh"
NAME = "golden-base-2024-06-02"


@pytest.fixture
def topic(aws):
    """The revocation topic with an SQS queue subscribed, to read what was published."""
    home = LOCATIONS[0]
    sns, sqs = aws.client("sns", home), aws.client("sqs", home)
    topic_arn = sns.create_topic(Name="golden-ami-revocations")["TopicArn"]
    queue_url = sqs.create_queue(QueueName="revocations")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)

    def messages():
        received = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
        for message in received:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        return [json.loads(message["Body"]) for message in received]

    return topic_arn, messages


@pytest.fixture
def estate(aws):
    """Per location: an old good AMI, a middle one that is not good any more, and the bad one.

    latest: old -> middle -> bad (middle unusable: rolls back to old)
    staging: old -> bad (rolls back to old); prod: old (unchanged); candidate: bad (deleted).
    The middle AMI is disabled in the home region, revoked earlier in the other region, and
    deregistered in the copy account.
    """
    amis = []
    for index, location in enumerate(LOCATIONS):
        ec2 = aws.client("ec2", location)
        old = aws.register(location, "golden-base-2024-05-01")
        middle = aws.register(location, "golden-base-2024-05-15")
        bad = aws.register(location, NAME)
        for name, values in ((LATEST, [old, middle, bad]), (STAGING, [old, bad]), (PROD, [old]), (CANDIDATE, [bad])):
            for value in values:
                aws.put_ami(location, name, value)
        if index == 0:
            ec2.disable_image(ImageId=middle)
        elif index == 1:
            aws.client("ssm", location).put_parameter(Name=REVOKED, Type="StringList", Value=middle + "=earlier CVE")
        else:
            ec2.deregister_image(ImageId=middle)
        amis.append({"old": old, "middle": middle, "bad": bad})
    return amis


def events(topic_arn, **overrides):
    value = {
        "Locations": LOCATIONS,
        "ImageId": None,
        "Reason": REASON,
        "ChannelParameters": [LATEST, CANDIDATE, STAGING, PROD],
        "RevocationListParameter": REVOKED,
        "TopicArn": topic_arn,
    }
    value.update(overrides)
    return value


def snapshot(aws):
    """Every channel's and revocation list's value and version in every location."""
    return [
        {name: (parameter or {}).get("Value") and (parameter["Value"], parameter["Version"])
         for name in (LATEST, CANDIDATE, STAGING, PROD, REVOKED)
         for parameter in [aws.parameter(location, name)]}
        for location in LOCATIONS
    ]


def test_revokes_every_copy_rolls_channels_back_lists_it_and_notifies_once(trust_chain, aws, estate, topic):
    topic_arn, messages = topic
    home_ami = estate[0]["bad"]
    before = datetime.datetime.now(datetime.timezone.utc)

    result = trust_chain.revoke(events(topic_arn, ImageId=home_ami), None)

    assert (result["ImageId"], result["Reason"], result["Changed"], result["Notified"]) == (home_ami, REASON, True, True)
    for location, amis, outcome in zip(LOCATIONS, estate, result["Locations"]):
        bad, old = amis["bad"], amis["old"]
        assert outcome["ImageIds"] == [bad]
        # Deprecated now (the next whole minute, the earliest EC2 accepts) and disabled.
        image = aws.image(location, bad)
        assert image["State"] == "disabled"
        deprecation = datetime.datetime.fromisoformat(image["DeprecationTime"].replace("Z", "+00:00"))
        assert before < deprecation <= before + datetime.timedelta(minutes=2)
        # Channels that held it: back to the newest earlier good AMI, or gone.
        ssm_values = {name: (aws.parameter(location, name) or {}).get("Value") for name in (LATEST, CANDIDATE, STAGING, PROD)}
        assert ssm_values == {LATEST: old, CANDIDATE: None, STAGING: old, PROD: old}
        assert aws.parameter(location, LATEST)["DataType"] == "aws:ec2:image"
        assert sorted(outcome["Channels"], key=lambda c: c["Parameter"]) == [
            {"Parameter": CANDIDATE, "Action": "Deleted"},
            {"Parameter": LATEST, "Action": "RolledBack", "ImageId": old},
            {"Parameter": STAGING, "Action": "RolledBack", "ImageId": old},
        ]
        # The location's revocation list holds its own copy's ID.
        assert f"{bad}={REASON}" in aws.parameter(location, REVOKED)["Value"].split(",")
    assert aws.parameter(LOCATIONS[1], REVOKED)["Value"].split(",") == [
        estate[1]["middle"] + "=earlier CVE", estate[1]["bad"] + "=" + REASON]
    # A disabled AMI is left out of DescribeImages unless IncludeDisabled (moto_launcher.py does as AWS).
    assert aws.client("ec2", LOCATIONS[0]).describe_images(ImageIds=[home_ami])["Images"] == []

    published = messages()
    assert len(published) == 1
    assert published[0]["Subject"] == "Golden AMI revoked: " + home_ami
    message = json.loads(published[0]["Message"])
    assert (message["ImageId"], message["Reason"]) == (home_ami, REASON)
    assert [(entry["Region"], entry["Account"], entry["ImageIds"]) for entry in message["Locations"]] == [
        (location["Region"], location["Account"], [amis["bad"]]) for location, amis in zip(LOCATIONS, estate)]

    # Idempotent: the second run changes no parameter, no image, and notifies nobody.
    state = snapshot(aws)
    images = [aws.image(location, amis["bad"]) for location, amis in zip(LOCATIONS, estate)]
    again = trust_chain.revoke(events(topic_arn, ImageId=home_ami), None)

    assert (again["Changed"], again["Notified"]) == (False, False)
    assert all(not entry["Channels"] and not entry["RevocationListChanged"] and entry["Images"][0]["Changes"] == []
               for entry in again["Locations"])
    assert snapshot(aws) == state
    assert [aws.image(location, amis["bad"]) for location, amis in zip(LOCATIONS, estate)] == images
    assert messages() == []


def test_a_later_scheduled_deprecation_is_brought_forward(trust_chain, aws, estate, topic):
    # Lifecycle had scheduled the copy's deprecation a year out.
    location = LOCATIONS[1]
    later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=365)
    aws.client("ec2", location).enable_image_deprecation(ImageId=estate[1]["bad"], DeprecateAt=later)

    trust_chain.revoke(events("", ImageId=estate[0]["bad"]), None)

    deprecation = aws.image(location, estate[1]["bad"])["DeprecationTime"]
    assert datetime.datetime.fromisoformat(deprecation.replace("Z", "+00:00")) <= (
        datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=2))


def test_no_topic_no_message(trust_chain, aws, estate, topic):
    _, messages = topic

    result = trust_chain.revoke(events("", ImageId=estate[0]["bad"]), None)

    assert (result["Changed"], result["Notified"]) == (True, False)
    assert messages() == []


def test_an_ami_that_is_not_the_home_accounts_is_refused_before_any_change(trust_chain, aws, estate, topic):
    topic_arn, messages = topic
    state = snapshot(aws)

    with pytest.raises(trust_chain.TrustChainError, match=f"ami-0123456789abcdef0 does not exist in {HOME_REGION}/{HOME}"):
        trust_chain.revoke(events(topic_arn, ImageId="ami-0123456789abcdef0"), None)

    assert snapshot(aws) == state
    assert messages() == []
