"""record_ancestry: a child build's AMIs tagged with their parent, and the ancestry record written.

moto has no Image Builder: GetImage is answered by a botocore Stubber on the script's imagebuilder
client (checked against the service model); EC2 and SSM stay on moto server.
"""
import datetime
import json

import boto3
import pytest
from botocore.stub import Stubber

from conftest import HOME, HOME_REGION, LOCATIONS

PARENT = "/golden-ami/base/prod"
ANCESTRY = "/golden-ami/ecs/ancestry"
PIPELINE = f"arn:aws:imagebuilder:{HOME_REGION}:{HOME}:image-pipeline/golden-base"
BUILD = f"arn:aws:imagebuilder:{HOME_REGION}:{HOME}:image/golden-ecs/1.0.0/7"


@pytest.fixture
def get_image(trust_chain, monkeypatch):
    """Queues GetImage answers for the script's imagebuilder client."""
    client = boto3.client("imagebuilder", region_name=HOME_REGION)
    stubber = Stubber(client)
    stubber.activate()
    real_client = trust_chain._client
    monkeypatch.setattr(trust_chain, "_client",
                        lambda service, location: client if service == "imagebuilder" else real_client(service, location))

    def answer(created, children):
        stubber.add_response("get_image", {"image": {
            "arn": BUILD,
            "dateCreated": created.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "outputResources": {"amis": [
                {"region": location["Region"], "accountId": location["Account"], "image": child, "name": "golden-ecs"}
                for location, child in zip(LOCATIONS, children)]},
        }}, {"imageBuildVersionArn": BUILD})

    yield answer
    stubber.assert_no_pending_responses()


@pytest.fixture
def lineage(aws):
    """Per location: parent v1 published 3 hours ago, parent v2 published now, and the child AMI."""
    result = []
    for location in LOCATIONS:
        first = aws.register(location, "golden-base-2024-06-01")
        second = aws.register(location, "golden-base-2024-06-08")
        aws.put_ami(location, PARENT, first)
        aws.backdate(location, PARENT, 3)
        aws.put_ami(location, PARENT, second)
        child = aws.register(location, "golden-ecs-2024-06-08")
        result.append({"first": first, "second": second, "child": child})
    return result


def events(**overrides):
    value = {
        "Locations": LOCATIONS,
        "ImageBuildVersionArn": BUILD,
        "ParentParameter": PARENT,
        "ParentPipelineArn": PIPELINE,
        "AncestryParameter": ANCESTRY,
    }
    value.update(overrides)
    return value


def tags(aws, location, ami):
    return {tag["Key"]: tag["Value"] for tag in aws.image(location, ami).get("Tags", [])}


def test_tags_children_with_the_parent_current_when_the_build_started(trust_chain, aws, lineage, get_image):
    # The build started an hour ago: the parent was v1 then; v2 was published after.
    started = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=1)
    children = [entry["child"] for entry in lineage]
    get_image(started, children)

    result = trust_chain.record_ancestry(events(), None)

    for location, entry, outcome in zip(LOCATIONS, lineage, result["Locations"]):
        assert (outcome["ImageId"], outcome["ParentImageId"], outcome["Tagged"], outcome["RecordWritten"]) == (
            entry["child"], entry["first"], True, True)
        assert tags(aws, location, entry["child"]) == {
            "golden-ami:parent-ami": entry["first"], "golden-ami:parent-pipeline": PIPELINE}
        record = aws.parameter(location, ANCESTRY)
        assert record["Type"] == "String"
        assert json.loads(record["Value"]) == {
            "ami": entry["child"], "parentAmi": entry["first"], "parentPipeline": PIPELINE, "parentParameter": PARENT}

    # The same build again writes no new version and changes no tag.
    get_image(started, children)
    again = trust_chain.record_ancestry(events(), None)

    assert [(entry["Tagged"], entry["RecordWritten"]) for entry in again["Locations"]] == [(False, False)] * 3
    assert [aws.parameter(location, ANCESTRY)["Version"] for location in LOCATIONS] == [1, 1, 1]


def test_a_build_started_after_the_newer_parent_records_the_newer_parent(trust_chain, aws, lineage, get_image):
    get_image(datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=1), [e["child"] for e in lineage])

    result = trust_chain.record_ancestry(events(), None)

    assert [entry["ParentImageId"] for entry in result["Locations"]] == [entry["second"] for entry in lineage]


def test_a_build_older_than_every_parent_version_is_refused_before_any_write(trust_chain, aws, lineage, get_image):
    get_image(datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=5), [e["child"] for e in lineage])

    with pytest.raises(trust_chain.TrustChainError, match=f"{PARENT} had no value in {HOME_REGION}/{HOME} at "):
        trust_chain.record_ancestry(events(), None)

    for location, entry in zip(LOCATIONS, lineage):
        assert tags(aws, location, entry["child"]) == {}
        assert aws.parameter(location, ANCESTRY) is None


def test_a_location_without_a_child_ami_is_refused(trust_chain, aws, lineage, get_image):
    client_answer = [entry["child"] for entry in lineage][:2]
    get_image(datetime.datetime.now(datetime.timezone.utc), client_answer)

    with pytest.raises(trust_chain.TrustChainError, match=f"{BUILD} has no AMI in {LOCATIONS[2]['Region']}/{LOCATIONS[2]['Account']}"):
        trust_chain.record_ancestry(events(), None)
